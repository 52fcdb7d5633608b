package sip

import (
	"strconv"
	"strings"
)

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

// escapeXML writes s escaped for text and attribute values, as encoding/xml's EscapeText
// does; characters XML cannot carry (and bytes that are not UTF-8) become U+FFFD. Written
// here because importing encoding/xml for it cost its package init at every start (19 kB of
// heap) and its tables.
func escapeXML(b *strings.Builder, s string) {
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString("&#34;")
		case r == '\'':
			b.WriteString("&#39;")
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '\t':
			b.WriteString("&#x9;")
		case r == '\n':
			b.WriteString("&#xA;")
		case r == '\r':
			b.WriteString("&#xD;")
		case !xmlChar(r):
			b.WriteRune('\uFFFD')
		default:
			b.WriteRune(r) // a byte that is not UTF-8 came as utf8.RuneError: U+FFFD
		}
	}
}

// xmlChar reports whether XML 1.0 allows r in a document (its Char production).
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}
