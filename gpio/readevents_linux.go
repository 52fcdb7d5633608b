package gpio

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"
)

// readEvents reads a line request's events from f into buf and hands each read to decode,
// until ctx ends (nil) or f is closed (ErrClosed); op and what name it in errors. The read
// parks in the netpoller; ctx's end wakes it through a past deadline.
func readEvents(ctx context.Context, f *os.File, buf []byte, op, what string, decode func([]byte)) error {
	// Clear a past deadline before arming the one that ctx's end sets, never after.
	if err := f.SetReadDeadline(time.Time{}); err != nil {
		return fmt.Errorf("gpio: %s: %w", op, err)
	}
	stop := context.AfterFunc(ctx, func() { _ = f.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	for {
		n, err := f.Read(buf)
		if err != nil {
			switch {
			case ctx.Err() != nil:
				return nil
			case errors.Is(err, os.ErrClosed):
				return ErrClosed
			}
			return fmt.Errorf("gpio: read %s: %w", what, err)
		}
		decode(buf[:n])
	}
}
