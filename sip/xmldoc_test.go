package sip

import (
	"encoding/xml"
	"strings"
	"testing"
)

// pidfDoc is an RFC 3863 document as we write and read it (tests, fuzzing).
type pidfDoc struct {
	XMLName xml.Name    `xml:"urn:ietf:params:xml:ns:pidf presence"`
	Entity  string      `xml:"entity,attr"`
	Tuples  []pidfTuple `xml:"tuple"`
	Notes   []string    `xml:"note"`
	Person  *struct {
		Activities struct {
			OnThePhone *struct{} `xml:"urn:ietf:params:xml:ns:pidf:rpid on-the-phone"`
			Busy       *struct{} `xml:"urn:ietf:params:xml:ns:pidf:rpid busy"`
		} `xml:"urn:ietf:params:xml:ns:pidf:rpid activities"`
	} `xml:"urn:ietf:params:xml:ns:pidf:data-model person"`
}

type pidfTuple struct {
	ID      string `xml:"id,attr"`
	Basic   string `xml:"status>basic"`
	Contact string `xml:"contact"`
	Note    string `xml:"note"`
}

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

// parsePIDF reads an RFC 3863 document.
func parsePIDF(body []byte) (pidfDoc, error) {
	var p pidfDoc
	err := xml.Unmarshal(body, &p)
	return p, err
}

// parseDialogInfo reads an RFC 4235 document.
func parseDialogInfo(body []byte) (dialogInfo, error) {
	var d dialogInfo
	err := xml.Unmarshal(body, &d)
	return d, err
}

// escapeXML writes what encoding/xml's EscapeText writes.
func TestEscapeXML(t *testing.T) {
	for _, s := range []string{"", "door", `a"b'c&d<e>f`, "tab\tnl\ncr\r", "nul\x00bel\x07", "bad \xff\xfe utf-8",
		"\uFFFD kept", "\uFFFE\uFFFF", "\U0001F514 bell", "\ud7ff\ue000"} {
		checkEscapeXML(t, s)
	}
}

func FuzzEscapeXML(f *testing.F) {
	for _, s := range []string{"door", `<"&'>`, "\x00\xff", "\U0001F514", "\r\n\t"} {
		f.Add(s)
	}
	f.Fuzz(checkEscapeXML)
}

func checkEscapeXML(t *testing.T, s string) {
	var want strings.Builder
	_ = xml.EscapeText(&want, []byte(s))
	var got strings.Builder
	escapeXML(&got, s)
	if got.String() != want.String() {
		t.Fatalf("escapeXML(%q) = %q, encoding/xml gives %q", s, got.String(), want.String())
	}
}
