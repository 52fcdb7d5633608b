include $(sort $(wildcard $(BR2_EXTERNAL_INTERCOM_PATH)/package/*/*.mk))
