package sip

import "strings"

// buildPIDF writes the door's presence: open unless offline, a note saying what it does
// ("ringing", "in call, door open", ...), and the RPID activity phones show as busy while a
// call rings or is up.
func buildPIDF(s DoorState, entity string) []byte {
	basic := "open"
	if s.Activity == DoorOffline {
		basic = "closed"
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<presence xmlns="urn:ietf:params:xml:ns:pidf"` +
		` xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"` +
		` xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="`)
	escapeXML(&b, entity)
	b.WriteString("\">\n  <tuple id=\"door\">\n    <status><basic>" + basic + "</basic></status>\n    <contact>")
	escapeXML(&b, entity)
	b.WriteString("</contact>\n    <note>")
	escapeXML(&b, s.note())
	b.WriteString("</note>\n  </tuple>\n")
	switch s.Activity {
	case DoorInCall:
		b.WriteString("  <dm:person id=\"door\"><rpid:activities><rpid:on-the-phone/></rpid:activities></dm:person>\n")
	case DoorDialing, DoorRingingOut, DoorRingingIn:
		b.WriteString("  <dm:person id=\"door\"><rpid:activities><rpid:busy/></rpid:activities></dm:person>\n")
	}
	b.WriteString("</presence>\n")
	return []byte(b.String())
}
