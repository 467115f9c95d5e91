# -s refuses cleartext logins; CAPA then offers none.
A: -d 0 -s
S: +OK mail.test POP3 server ready
C: CAPA
S: +OK capability list follows
S: TOP
S: UIDL
S: RESP-CODES
S: AUTH-RESP-CODE
S: PIPELINING
S: UTF8
S: IMPLEMENTATION pop3login
S: .
C: USER good
S: -ERR [AUTH] cleartext login refused: use STLS first
C: PASS secret word
S: -ERR [AUTH] cleartext login refused: use STLS first
C: AUTH PLAIN AGdvb2QAc2VjcmV0IHdvcmQ=
S: -ERR [AUTH] cleartext login refused: use STLS first
C: AUTH
S: +OK mechanisms follow
S: .
C: QUIT
S: +OK bye
