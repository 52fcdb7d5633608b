package testpeer

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

// Watcher is a second client of a Mosquitto, as Home Assistant would be: it records what
// arrives on its subscriptions and publishes as its own user.
type Watcher struct {
	cl   paho.Client
	mu   sync.Mutex
	last map[string][]byte
	n    map[string]int
	ch   chan paho.Message
}

// Watch connects as user and subscribes to topics; it disconnects on cleanup.
func (m *Mosquitto) Watch(t testing.TB, user, password string, topics ...string) *Watcher {
	t.Helper()
	w := &Watcher{last: map[string][]byte{}, n: map[string]int{}, ch: make(chan paho.Message, 4096)}
	addr := fmt.Sprintf("tcp://127.0.0.1:%d", m.Port)
	if m.CA != nil {
		addr = fmt.Sprintf("ssl://127.0.0.1:%d", m.Port)
	}
	o := paho.NewClientOptions().AddBroker(addr).SetClientID(fmt.Sprintf("watcher-%d", time.Now().UnixNano())).
		SetUsername(user).SetPassword(password).SetAutoReconnect(false)
	if m.CA != nil {
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(m.CA.CAPEM)
		o.SetTLSConfig(&tls.Config{RootCAs: pool})
	}
	w.cl = paho.NewClient(o)
	if tok := w.cl.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("watcher connect: %v", tok.Error())
	}
	t.Cleanup(func() { w.cl.Disconnect(100) })
	for _, topic := range topics {
		if tok := w.cl.Subscribe(topic, 1, func(_ paho.Client, msg paho.Message) {
			w.mu.Lock()
			w.last[msg.Topic()] = msg.Payload()
			w.n[msg.Topic()]++
			w.mu.Unlock()
			select {
			case w.ch <- msg:
			default:
			}
		}); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
			t.Fatalf("watcher subscribe %s: %v", topic, tok.Error())
		}
	}
	return w
}

// Await waits up to 10 s for a message on topic whose payload satisfies ok, and returns it.
// Messages on other topics, or that do not satisfy ok, are passed over.
func (w *Watcher) Await(t testing.TB, topic string, ok func(payload string) bool) string {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case m := <-w.ch:
			if m.Topic() == topic && ok(string(m.Payload())) {
				return string(m.Payload())
			}
		case <-deadline:
			w.mu.Lock()
			last := string(w.last[topic])
			w.mu.Unlock()
			t.Fatalf("nothing matching on %s within 10s (last: %q)", topic, last)
			return ""
		}
	}
}

// Publish sends payload to topic (QoS 1, not retained) and waits for the broker's ack.
func (w *Watcher) Publish(t testing.TB, topic, payload string) {
	t.Helper()
	if tok := w.cl.Publish(topic, 1, false, payload); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("publish %s: %v", topic, tok.Error())
	}
}

// Received counts the messages on topics starting with prefix and returns the last payload
// of each such topic.
func (w *Watcher) Received(prefix string) (n int, last map[string][]byte) {
	w.mu.Lock()
	defer w.mu.Unlock()
	last = map[string][]byte{}
	for topic, c := range w.n {
		if strings.HasPrefix(topic, prefix) {
			n += c
			last[topic] = w.last[topic]
		}
	}
	return n, last
}
