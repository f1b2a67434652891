# The input of the compressors in bench/programs (run.sh makes it on the host): `bytes` bytes of
# English-like text and log lines from a fixed LCG, the same on every machine and awk.
# Usage: awk -v bytes=N -f corpus.awk >corpus.txt
function rnd(n) { s = (s * 69069 + 1) % 4294967296; return int(s / 65536) % n }
BEGIN {
  nw = split("the of and to in is that it was for on are as with his they at be this have from or " \
             "one had by word but not what all were we when your can said there use an each which she " \
             "do how their if will up other about out many then them these so some her would make like " \
             "him into time has look two more write go see number no way could people my than first " \
             "water been call who oil its now find long down day did get come made may part machine " \
             "virtual memory register translation instruction interrupt device kernel guest host", w, " ")
  s = 12345; n = 0
  while (n < bytes) {
    if (rnd(10) == 0) {  # a log line
      line = sprintf("2026-12-%02d %02d:%02d:%02d pid=%d %s=%d status=%s", 1 + rnd(28), rnd(24), rnd(60), rnd(60),
                     1000 + rnd(30000), w[1 + rnd(nw)], rnd(100000), rnd(8) ? "ok" : "error")
    } else {  # a sentence: common words far more often than rare ones
      line = ""; len = 6 + rnd(14)
      for (i = 0; i < len; i++) line = line (i ? " " : "") w[1 + int(rnd(nw) * rnd(nw) / nw)]
      line = toupper(substr(line, 1, 1)) substr(line, 2) "."
    }
    print line; n += length(line) + 1
  }
}
