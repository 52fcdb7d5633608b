package control

import "testing"

func BenchmarkDecodeRequest(b *testing.B) {
	line := []byte(`{"op":"press","arg":"bell","long":true}` + "\n")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeRequest(line); err != nil {
			b.Fatal(err)
		}
	}
}
