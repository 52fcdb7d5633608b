package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// The talkers. espeak-ng is deterministic, so a voice and a text always give the same samples.
const (
	voiceResident  = "en+m3" // the far end: the resident answering on the phone
	voiceVisitor   = "en+f4" // the near end: the visitor at the door
	voiceResident2 = "en-us+m7"
)

// text is what each voice says.
func text(voice string) (string, bool) {
	switch voice {
	case voiceResident:
		return "Hello? Who is there? Oh, the parcel, yes, I was expecting it. " +
			"Could you leave it with the neighbour on the second floor? No, wait, I will come down myself. " +
			"Give me a minute, I am just finishing a call. The lift is slow today, so please be patient. " +
			"If you cannot wait, put it in the blue box next to the letter boxes. " +
			"Thank you very much, and have a nice afternoon. Bye.", true
	case voiceVisitor:
		return "Good afternoon, I have a delivery for flat number twelve. " +
			"It is a large box and it needs a signature, I am afraid. " +
			"I can wait for two or three minutes, then I have to move on to the next address. " +
			"The van is parked on the corner, just behind the bus stop. " +
			"Alright, I will put it in the blue box and leave a card in your letter box. Goodbye.", true
	case voiceResident2:
		return "This is the caretaker speaking. The front door will be closed between nine and eleven tomorrow morning, " +
			"because the floor in the hall is being cleaned. Please use the garden entrance on the left side of the building. " +
			"The code for the garden gate has not changed. If anything is unclear, call the office on Monday. Thank you.", true
	}
	return "", false
}

// speech returns the voice's text spoken by espeak-ng at rate, cached in dir by voice and text.
func speech(dir, voice string, rate int) ([]float64, error) {
	text, ok := text(voice)
	if !ok {
		return nil, fmt.Errorf("acoustics: no text for voice %q", voice)
	}
	sum := sha256.Sum256([]byte(voice + "\x00" + text))
	path := filepath.Join(dir, "speech-"+hex.EncodeToString(sum[:8])+".wav")
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid()) // two runs at once each write their own
		out, err := exec.Command("espeak-ng", "-v", voice, "-w", tmp, text).CombinedOutput()
		if err != nil {
			return nil, fmt.Errorf("acoustics: espeak-ng -v %s: %w: %s", voice, err, out)
		}
		if err := os.Rename(tmp, path); err != nil {
			return nil, err
		}
	}
	x, in, err := readWAV(path)
	if err != nil {
		return nil, err
	}
	return resampleRate(x, in, rate), nil
}
