# Shared helpers of the benchmark scripts (sourced).
# median: the middle of the numbers on stdin.
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
