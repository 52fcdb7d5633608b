// Package wiegand decodes Wiegand card and keypad readers from the edges of their two data
// lines: a pulse on D0 is a 0 bit, on D1 a 1 bit, and a frame ends after a silence.
//
// It is pure decoding of an edge timeline, fed by whoever reads the lines (gpio/ on a
// board, a test from a recorded timeline); it opens no device and starts no goroutine. The
// caller owns the silence timer: Decoder.Due says when to call Decoder.Flush.
//
// Formats: 26-bit (H10301: even parity, 8-bit facility, 16-bit card, odd parity) and
// 34-bit (16-bit facility and card) are on by default; 37-bit (H10304: 16-bit facility,
// 19-bit card), any other length as a raw frame, and the 4- and 8-bit key frames of
// readers with a keypad are options.
package wiegand
