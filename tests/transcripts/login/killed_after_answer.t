# A chain killed by a signal after it answered the client (pop3d or an
# exposer killed mid-session): pop3login adds no -ERR of its own, which
# could be a false report on the mail and would land among pop3d's
# replies; it hangs up.
A: -d 0 -f 10
S: +OK mail.test POP3 server ready
C: USER answered
C: PASS x
S: +OK send PASS
S: +OK answered
C: STAT
