include $(wildcard pop3d/*.mk)
