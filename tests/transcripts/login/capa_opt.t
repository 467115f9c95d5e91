# LOGIN-DELAY and EXPIRE from options.
A: -d 0 -L 60 -E 30
S: +OK mail.test POP3 server ready
C: CAPA
S: +OK capability list follows
S: TOP
S: UIDL
S: RESP-CODES
S: AUTH-RESP-CODE
S: PIPELINING
S: USER
S: SASL PLAIN LOGIN
S: LOGIN-DELAY 60
S: EXPIRE 30
S: UTF8 USER
S: IMPLEMENTATION pop3login
S: .
C: QUIT
S: +OK bye
