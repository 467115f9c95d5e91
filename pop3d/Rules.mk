include $(filter-out pop3d/Rules.mk,$(wildcard pop3d/*.mk))
