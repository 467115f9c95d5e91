# POP3_TLS_ON (POP3S: the wrapper encrypts from the start) lifts -s.
A: -d 0 -s
E: POP3_TLS_ON=1
S: +OK mail.test POP3 server ready
C: STLS
S: -ERR TLS already active
C: USER good
S: +OK send PASS
C: PASS secret word
S: +OK logged in
C: QUIT
S: +OK bye
