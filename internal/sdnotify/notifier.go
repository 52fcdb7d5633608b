package sdnotify

import (
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-systemd/v22/daemon"
)

// Notifier sends state changes to the service manager. The zero value is not usable; use New.
// It is safe for concurrent use: the controller pings the watchdog while main sends STATUS.
type Notifier struct {
	log      *slog.Logger
	enabled  bool
	watchdog time.Duration

	mu      sync.Mutex
	failing bool // last send failed: log the next failure only after a success
}

// New reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID once. The environment is left as it
// is, so a later New (after a re-exec, in tests) sees the same values. A nil logger discards.
func New(logger *slog.Logger) *Notifier {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	n := &Notifier{log: logger, enabled: os.Getenv("NOTIFY_SOCKET") != ""}
	if !n.enabled {
		return n
	}
	// WATCHDOG_PID names the process the pings are for; SdWatchdogEnabled checks it so a child
	// that inherited the environment does not ping for its parent.
	d, err := daemon.SdWatchdogEnabled(false)
	if err != nil {
		logger.Warn("sdnotify: ignoring watchdog settings", "err", err)
	}
	n.watchdog = d
	return n
}

// Enabled reports whether a service manager is listening (NOTIFY_SOCKET was set).
func (n *Notifier) Enabled() bool { return n.enabled }

// WatchdogInterval is WatchdogSec from the unit, or 0 when the watchdog is off or there is no
// service manager. Ping at half of it so one late loop iteration is not fatal.
func (n *Notifier) WatchdogInterval() time.Duration { return n.watchdog }

// Ready says start-up is finished: config loaded and SIP listening.
func (n *Notifier) Ready() error { return n.send(daemon.SdNotifyReady) }

// Status sets the free-form line `systemctl status` shows. Newlines would start new
// assignments in the datagram, so they are flattened to spaces.
func (n *Notifier) Status(s string) error {
	return n.send("STATUS=" + strings.NewReplacer("\n", " ", "\r", " ").Replace(s))
}

// Watchdog pings the service manager; it sends nothing when WatchdogSec is not set.
func (n *Notifier) Watchdog() error {
	if n.watchdog == 0 {
		return nil
	}
	return n.send(daemon.SdNotifyWatchdog)
}

// Heartbeat is Watchdog for callers that want a func() to hand to the controller's loop.
func (n *Notifier) Heartbeat() { _ = n.Watchdog() }

// Stopping says a graceful shutdown has begun (unregistering, relays to safe levels).
func (n *Notifier) Stopping() error { return n.send(daemon.SdNotifyStopping) }

// Reloading says a SIGHUP reload has begun; send Ready when it is done. MONOTONIC_USEC is
// added where the clock is known: systemd 253+ requires it for Type=notify-reload and older
// versions ignore it.
func (n *Notifier) Reloading() error {
	msg := daemon.SdNotifyReloading
	if us := monotonicUsec(); us > 0 {
		msg += "\nMONOTONIC_USEC=" + strconv.FormatUint(us, 10)
	}
	return n.send(msg)
}

func (n *Notifier) send(state string) error {
	if !n.enabled {
		return nil
	}
	sent, err := daemon.SdNotify(false, state)
	if err == nil && !sent {
		// NOTIFY_SOCKET was unset after New; treat as no service manager.
		return nil
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if err != nil {
		err = fmt.Errorf("%w %q: %w", ErrSend, firstLine(state), err)
		if !n.failing {
			n.log.Warn("sdnotify: cannot reach the service manager", "err", err)
		}
		n.failing = true
		return err
	}
	n.failing = false
	return nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
