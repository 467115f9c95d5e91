# Bad lines: each gets an -ERR and the session goes on.  Wrong-state
# commands, unknown ones, NUL, bare CR, binary, bare LF line ends.
A: -d 0
S: +OK mail.test POP3 server ready
C: STAT
S: -ERR not logged in
C: LIST 1
S: -ERR not logged in
C: RETR 1
S: -ERR not logged in
C: DELE 1
S: -ERR not logged in
C: RSET
S: -ERR not logged in
C: TOP 1 0
S: -ERR not logged in
C: UIDL
S: -ERR not logged in
C: LAST
S: -ERR not logged in
C: HELO x
S: -ERR unknown command
C: 
S: -ERR empty command
C: NO\0OP
S: -ERR bad characters in command
C: NO\rOP
S: -ERR bad characters in command
C: \0377\0\0200garbage
S: -ERR bad characters in command
C: \0377\0376garbage\0200
S: -ERR unknown command
C:  NOOP
S: -ERR unknown command
C: STLS
S: -ERR STLS not available
C: STLS now
S: -ERR usage: STLS
R: NOOP\n
S: +OK
C: QUIT
S: +OK bye
