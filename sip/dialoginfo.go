package sip

import (
	"encoding/xml"
	"strconv"
	"strings"
)

// dialogInfo is an RFC 4235 document as we write and read it (tests, fuzzing).
type dialogInfo struct {
	XMLName xml.Name     `xml:"urn:ietf:params:xml:ns:dialog-info dialog-info"`
	Version uint32       `xml:"version,attr"`
	State   string       `xml:"state,attr"`
	Entity  string       `xml:"entity,attr"`
	Dialogs []dialogElem `xml:"dialog"`
}

type dialogElem struct {
	ID        string `xml:"id,attr"`
	Direction string `xml:"direction,attr"`
	State     string `xml:"state"`
	Remote    string `xml:"remote>identity"`
	Local     string `xml:"local>identity"`
}

// buildDialogInfo writes the door's full dialog state (RFC 4235 section 4): no <dialog>
// when idle, or one for the call with its state and, when exposeRemote, the far end.
func buildDialogInfo(s DoorState, entity string, version uint32, exposeRemote bool) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="`)
	b.WriteString(strconv.FormatUint(uint64(version), 10))
	b.WriteString(`" state="full" entity="`)
	escapeXML(&b, entity)
	b.WriteString(`">` + "\n")
	if st := s.dialogState(); st != "" {
		id := s.CallID
		if id == "" {
			id = "door"
		}
		b.WriteString(`  <dialog id="`)
		escapeXML(&b, id)
		b.WriteString(`"`)
		if s.Incoming || s.Activity == DoorRingingIn {
			b.WriteString(` direction="recipient"`)
		} else {
			b.WriteString(` direction="initiator"`)
		}
		b.WriteString(">\n    <state>" + st + "</state>\n")
		if exposeRemote && s.Remote != "" {
			b.WriteString("    <remote><identity>")
			escapeXML(&b, s.Remote)
			b.WriteString("</identity></remote>\n")
		}
		b.WriteString("    <local><identity>")
		escapeXML(&b, entity)
		b.WriteString("</identity></local>\n  </dialog>\n")
	}
	b.WriteString("</dialog-info>\n")
	return []byte(b.String())
}

// parseDialogInfo reads an RFC 4235 document.
func parseDialogInfo(body []byte) (dialogInfo, error) {
	var d dialogInfo
	err := xml.Unmarshal(body, &d)
	return d, err
}

// escapeXML writes s escaped for text and attribute values; characters XML cannot carry
// become U+FFFD.
func escapeXML(b *strings.Builder, s string) {
	var w strings.Builder
	_ = xml.EscapeText(&w, []byte(s))
	b.WriteString(w.String())
}
