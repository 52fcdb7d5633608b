package main

import (
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"

	"github.com/doorsip/intercom/hwtest/internal/tone"
	"github.com/zaf/g711"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: rtpsnr gen|analyze|echo [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "gen":
		err = gen(os.Args[2:])
	case "analyze":
		err = analyze(os.Args[2:])
	case "echo":
		err = echo(os.Args[2:])
	default:
		err = fmt.Errorf("unknown subcommand %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "rtpsnr:", err)
		os.Exit(1)
	}
}

func gen(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	hz := fs.Int("hz", 400, "tone frequency")
	secs := fs.Int("seconds", 12, "length")
	ulaw := fs.Bool("ulaw", false, "PCMU instead of PCMA")
	out := fs.String("o", "", "output file (raw G.711, 8 kHz)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("gen: -o is required")
	}
	pcm := make([]int16, 8000**secs)
	tone.Sine(pcm, 8000, *hz, 8000, 0)
	b := make([]byte, len(pcm))
	for i, v := range pcm {
		if *ulaw {
			b[i] = g711.EncodeUlawFrame(v)
		} else {
			b[i] = g711.EncodeAlawFrame(v)
		}
	}
	return os.WriteFile(*out, b, 0o644)
}

func analyze(args []string) error {
	fs := flag.NewFlagSet("analyze", flag.ContinueOnError)
	path := fs.String("pcap", "", "tcpdump capture")
	dst := fs.String("dst", "127.0.0.1", "destination address of the stream to score")
	hz := fs.Int("hz", 1000, "tone frequency")
	minDB := fs.Float64("min-db", 30, "fail below this SNR")
	prefix := fs.String("prefix", "", "prefix of the figure names")
	tail := fs.Duration("tail", 0, "also require the tone in the last part of the stream this long (after a fault)")
	nth := fs.Int("nth", 0, "score the nth RTP stream toward dst in order of its first packet (1 = the first call); 0: the busiest")
	if err := fs.Parse(args); err != nil {
		return err
	}
	want, err := netip.ParseAddr(*dst)
	if err != nil {
		return err
	}
	b, err := os.ReadFile(*path)
	if err != nil {
		return err
	}
	udp, err := parsePcap(b)
	if err != nil {
		return err
	}
	f, err := pickFlow(rtpFlows(udp, want), *nth)
	if err != nil {
		return fmt.Errorf("%d Hz toward %s: %w", *hz, *dst, err)
	}
	pkts, best := f.pkts, f.dst
	pcm := decodeStream(pkts)
	snr, n := tone.SteadySNR(pcm, 8000, *hz, 2000, 300)
	fmt.Printf("%spackets=%d %sdst=%s %ssnr_db=%.1f %swindows=%d\n", *prefix, len(pkts), *prefix, best, *prefix, snr, *prefix, n)
	if snr < *minDB {
		return fmt.Errorf("%d Hz toward %s at %.1f dB SNR (want >= %.0f)", *hz, *dst, snr, *minDB)
	}
	if *tail > 0 {
		k := min(len(pcm), int(tail.Seconds()*8000))
		ts, tn := tone.SteadySNR(pcm[len(pcm)-k:], 8000, *hz, 2000, 300)
		fmt.Printf("%stail_snr_db=%.1f %stail_windows=%d\n", *prefix, ts, *prefix, tn)
		if ts < *minDB {
			return fmt.Errorf("%d Hz toward %s in the last %s at %.1f dB SNR (want >= %.0f)", *hz, *dst, *tail, ts, *minDB)
		}
	}
	return nil
}
