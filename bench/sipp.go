//go:build linux

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// inDialog is the rest of a request inside the call (the ACK of the 200, the BYE), after
// its request line and CSeq.
const inDialog = `Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:bench@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
[routes]
Contact: <sip:bench@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Length: 0
`

// uacScenario calls [service] at the remote address with PCMA 20 ms, ACKs, holds the call for
// -d milliseconds and hangs up. A busy or declined answer is ACKed and the call ends there,
// so a run with more calls than the peer takes still ends by itself; the pcap tells which
// calls were answered.
const uacScenario = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="bench uac">
  <send retrans="500" start_rtd="1">
    <![CDATA[
INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:bench@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:bench@[local_ip]:[local_port]>
Max-Forwards: 70
Subject: bench
Content-Type: application/sdp
Content-Length: [len]

v=0
o=bench 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 8 101
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=ptime:20
a=sendrecv

    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="486" optional="true" next="busy"/>
  <recv response="480" optional="true" next="busy"/>
  <recv response="603" optional="true" next="busy"/>
  <recv response="503" optional="true" next="busy"/>
  <recv response="200" rrs="true" rtd="1"/>
  <send>
    <![CDATA[
` + "ACK [next_url] SIP/2.0\nCSeq: 1 ACK\n" + inDialog + `
    ]]>
  </send>
  <pause/>
  <send retrans="500">
    <![CDATA[
` + "BYE [next_url] SIP/2.0\nCSeq: 2 BYE\n" + inDialog + `
    ]]>
  </send>
  <recv response="200" next="done"/>
  <label id="busy"/>
  <send>
    <![CDATA[
ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0

    ]]>
  </send>
  <label id="done"/>
</scenario>
`

// sippRun is one sipp uac run against a peer.
type sippRun struct {
	Target    string // host:port of the peer
	User      string // request-URI user
	SIPPort   int
	MediaPort int // RTP echo port (and +2)
	Calls     int // total calls
	Limit     int // simultaneous calls at most
	Rate      int // calls started per second
	HoldMS    int // how long each answered call lasts
	Dir       string
}

func (r sippRun) args() ([]string, error) {
	sf := filepath.Join(r.Dir, "uac.xml")
	if err := os.WriteFile(sf, []byte(uacScenario), 0o644); err != nil {
		return nil, err
	}
	return []string{r.Target,
		"-sf", sf, "-s", r.User,
		"-i", "127.0.0.1", "-p", strconv.Itoa(r.SIPPort),
		"-mi", "127.0.0.1", "-mp", strconv.Itoa(r.MediaPort), "-rtp_echo",
		"-m", strconv.Itoa(r.Calls), "-l", strconv.Itoa(r.Limit), "-r", strconv.Itoa(r.Rate),
		"-d", strconv.Itoa(r.HoldMS),
		"-timeout", fmt.Sprintf("%ds", r.HoldMS/1000+30), "-timeout_error",
		"-nostdin", "-trace_err", "-error_file", filepath.Join(r.Dir, "sipp-errors.log"),
	}, nil
}
