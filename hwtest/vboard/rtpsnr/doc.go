// Command rtpsnr is the host side of the virtual board's audio check. It writes the raw
// G.711 tone file the SIP peer (sipp rtp_stream) sends, and it reads a tcpdump capture of the
// call to measure the tone the intercom sent: RTP packets are picked by destination, decoded
// (PCMA/PCMU), laid out by sequence number and scored with a Goertzel SNR.
//
//	rtpsnr gen -hz 400 -seconds 12 -o tone.pcma
//	rtpsnr analyze -pcap call.pcap -dst 127.0.0.1 -hz 1000 [-min-db 30] [-nth 1]
//	rtpsnr echo -pcap call.pcap -echo-dbfs -19.6 [-nth 2 -ref-nth 1 -last 4s -min-loss 40]
//
// analyze prints "key=value" figures on one line and exits 1 below -min-db. echo scores the
// call the guest's room played (see the README): how far below the echo the peer's tone came
// back, and whether the door's near-end tone kept its level from the reference call.
package main
