package door

// SecurityKinds are the event-log kinds an installer must be able to find after an incident:
// the door opening (by code, card, button or relay), code and card attempts and lockouts,
// tamper and door alarms. The event log keeps them in a file of their own, so a flood of
// refused calls cannot rotate them out.
func SecurityKinds() []string {
	return []string{
		"door-open", "relay-open", "door-opened", "door-forced", "door-held-open",
		"door-code-wrong", "door-code-lockout", "door-code-refused", "door-code-unlocked",
		"access-granted", "access-denied", "access-lockout", "access-refused",
		"tamper", "tamper-cleared", "panic",
	}
}
