# One answer for a wrong password and an unknown user; USER is needed
# again after each attempt; then the right password still works.
A: -d 0 -f 5
S: +OK mail.test POP3 server ready
C: PASS secret word
S: -ERR send USER first
C: USER good
S: +OK send PASS
C: PASS secret
S: -ERR [AUTH] authentication failed
C: PASS secret word
S: -ERR send USER first
C: USER nosuchuser
S: +OK send PASS
C: PASS secret word
S: -ERR [AUTH] authentication failed
C: USER good
S: +OK send PASS
C: PASS
S: -ERR usage: PASS password
C: USER
S: -ERR usage: USER name
C: USER good
S: +OK send PASS
C: PASS secret word
S: +OK logged in
C: QUIT
S: +OK bye
