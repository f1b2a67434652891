# bash completion for vessel (installed to /usr/share/bash-completion/completions/vessel)
_vessel() {
  local cur=${COMP_WORDS[COMP_CWORD]} cmd=${COMP_WORDS[1]} sub=${COMP_WORDS[2]}
  local commands="run img vm ct net image ls cluster cert container"
  case $COMP_CWORD in
    1) COMPREPLY=($(compgen -W "$commands --help" -- "$cur")); return ;;
  esac
  local socket=${VESSEL_SOCKET:-/run/vessel/vessel.sock}
  case $cmd in
    vm)
      if [ "$COMP_CWORD" -eq 2 ]; then
        COMPREPLY=($(compgen -W "create start stop shutdown kill pause resume rm ls show console exec cp snapshot restore limits metrics migrate debug" -- "$cur"))
      elif [ "$COMP_CWORD" -eq 3 ] && [ "$sub" != create ] && [ "$sub" != ls ]; then
        COMPREPLY=($(compgen -W "$(vessel ls --quiet --socket "$socket" 2>/dev/null | awk '$1 == "vm" {print $2}')" -- "$cur"))
      fi ;;
    ct)
      if [ "$COMP_CWORD" -eq 2 ]; then
        COMPREPLY=($(compgen -W "create start stop kill pause resume rm ls show exec logs console limits" -- "$cur"))
      elif [ "$COMP_CWORD" -eq 3 ] && [ "$sub" != create ] && [ "$sub" != ls ]; then
        COMPREPLY=($(compgen -W "$(vessel ls --quiet --socket "$socket" 2>/dev/null | awk '$1 == "ct" {print $2}')" -- "$cur"))
      fi ;;
    image) [ "$COMP_CWORD" -eq 2 ] && COMPREPLY=($(compgen -W "import ls show rm" -- "$cur")) ;;
    img) [ "$COMP_CWORD" -eq 2 ] && COMPREPLY=($(compgen -W "create info convert check" -- "$cur")) ;;
    net) [ "$COMP_CWORD" -eq 2 ] && COMPREPLY=($(compgen -W "create ls show rm" -- "$cur")) ;;
    cluster) [ "$COMP_CWORD" -eq 2 ] && COMPREPLY=($(compgen -W "init" -- "$cur")) ;;
    cert) [ "$COMP_CWORD" -eq 2 ] && COMPREPLY=($(compgen -W "issue" -- "$cur")) ;;
    container)
      [ "$COMP_CWORD" -eq 2 ] && COMPREPLY=($(compgen -W "create start run state kill delete exec ps list events pause resume spec features update" -- "$cur")) ;;
    run) COMPREPLY=($(compgen -W "--kernel --initrd --append --memory --cpus --cpu --bios --firmware --drive --net --vsock --share --control --restore --incoming --migrate-disks-to --engine --hugepages --elf --sandbox --sandbox-uid --sandbox-gid --sandbox-bind --sandbox-root --sandbox-max-files --sandbox-memory-limit --sandbox-cgroup" -- "$cur")) ;;
  esac
  [ ${#COMPREPLY[@]} -eq 0 ] && COMPREPLY=($(compgen -f -- "$cur"))
}
complete -F _vessel vessel
