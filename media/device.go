package media

// Format is how a device lays out samples: interleaved signed 16-bit at Rate with Channels.
type Format struct {
	Rate     int
	Channels int
}

// Capture is where call audio comes from: a sound card (paced by its clock) or a tone, file
// or silence source (paced by the injected clock). Read blocks until len(frames)/Channels
// frames are filled and returns the frame count.
type Capture interface {
	Format() Format
	Read(frames []int16) (int, error)
	Close() error
}

// Playback is where received audio goes. Write blocks while the device's buffer is full.
type Playback interface {
	Format() Format
	Write(frames []int16) (int, error)
	Close() error
}
