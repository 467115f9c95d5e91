# AUTH LOGIN refused: a wrong password, bad base64, an empty or NUL-holding
# name, a name over 255 octets, and a command where the
# name was due, taken as the (bad base64) answer.
A: -d 0 -f 5
S: +OK mail.test POP3 server ready
C: AUTH LOGIN Z29vZA==
S: + UGFzc3dvcmQ6
C: YmFk
S: -ERR [AUTH] authentication failed
C: AUTH LOGIN Z29vZA
S: -ERR bad base64
C: AUTH LOGIN Z29vZA==
S: + UGFzc3dvcmQ6
C: c2VjcmV0IHdvcmQ
S: -ERR bad base64
C: AUTH LOGIN =
S: -ERR malformed LOGIN response
C: AUTH LOGIN AGdvb2Q=
S: -ERR malformed LOGIN response
C: AUTH LOGIN YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYQ==
S: -ERR [AUTH] credentials too long
C: AUTH LOGIN
S: + VXNlcm5hbWU6
C: STAT 1
S: -ERR bad base64
C: QUIT
S: +OK bye
