# LOGIN-DELAY and EXPIRE from the environment a host rule sets.
A: -d 0
E: LOGIN_DELAY=900
E: EXPIRE=NEVER
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
S: LOGIN-DELAY 900
S: EXPIRE NEVER
S: UTF8 USER
S: IMPLEMENTATION pop3login
S: .
C: QUIT
S: +OK bye
