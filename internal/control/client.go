package control

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
)

// Client is one connection to the control socket; `intercom ctl` uses it. Not safe for
// concurrent use.
type Client struct {
	c   net.Conn
	r   *bufio.Reader
	enc *json.Encoder
}

// Dial connects to the socket at path.
func Dial(ctx context.Context, path string) (*Client, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		return nil, fmt.Errorf("control: connect %s: %w", path, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		c.SetDeadline(dl)
	}
	// Responses can carry a whole status; allow more than a request.
	return &Client{c: c, r: bufio.NewReaderSize(c, 4*MaxRequest), enc: json.NewEncoder(c)}, nil
}

// Close closes the connection.
func (c *Client) Close() error { return c.c.Close() }

// Do sends req and returns its response. An {"ok":false} response is returned together
// with an error wrapping ErrServer.
func (c *Client) Do(req Request) (Response, error) {
	if err := c.enc.Encode(req); err != nil {
		return Response{}, fmt.Errorf("control: send: %w", err)
	}
	return c.Read()
}

// Read returns the next response line: for events, call it until Done.
func (c *Client) Read() (Response, error) {
	line, err := c.r.ReadBytes('\n')
	if err != nil {
		return Response{}, fmt.Errorf("control: receive: %w", err)
	}
	var resp Response
	if err := json.Unmarshal(line, &resp); err != nil {
		return Response{}, fmt.Errorf("control: bad response %q: %w", line, err)
	}
	if !resp.OK {
		return resp, fmt.Errorf("%w: %s", ErrServer, resp.Error)
	}
	return resp, nil
}

// Raw sends one line as it is and returns the response line as it came, for scripts that
// speak the protocol through `intercom ctl -`.
func (c *Client) Raw(line []byte) ([]byte, error) {
	if len(line) == 0 || line[len(line)-1] != '\n' {
		line = append(line, '\n')
	}
	if _, err := c.c.Write(line); err != nil {
		return nil, fmt.Errorf("control: send: %w", err)
	}
	resp, err := c.r.ReadBytes('\n')
	if err != nil {
		return nil, fmt.Errorf("control: receive: %w", err)
	}
	return resp, nil
}
