# After -f failures the connection ends: later commands get nothing.
A: -d 0 -f 2
S: +OK mail.test POP3 server ready
C: USER good
C: PASS wrong
S: +OK send PASS
S: -ERR [AUTH] authentication failed
C: AUTH PLAIN AGdvb2QAd3Jvbmc=
S: -ERR [AUTH] authentication failed
C: USER good
C: PASS secret word
