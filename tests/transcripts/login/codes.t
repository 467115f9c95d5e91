# The checker's exit codes as response codes (doc/interfaces.md).
A: -d 0 -f 10
S: +OK mail.test POP3 server ready
C: USER busy
C: PASS x
S: +OK send PASS
S: -ERR [IN-USE] mailbox in use by another session
C: USER temp
C: PASS x
S: +OK send PASS
S: -ERR [SYS/TEMP] temporary failure, try again later
C: USER perm
C: PASS x
S: +OK send PASS
S: -ERR [SYS/PERM] login failed
C: USER crash
C: PASS x
S: +OK send PASS
