# A bound on commands before login (-c), bad lines included.
A: -d 0 -c 4
S: +OK mail.test POP3 server ready
C: NOOP
S: +OK
C: 
S: -ERR empty command
C: XYZZY
S: -ERR unknown command
C: NOOP
S: +OK
C: NOOP
S: -ERR too many commands
C: NOOP
