package kernel

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
)

// ConnectionInfo is a Jupyter connection file: where the kernel listens
// and the key that signs its messages.
type ConnectionInfo struct {
	Transport       string `json:"transport"`
	IP              string `json:"ip"`
	ShellPort       int    `json:"shell_port"`
	IOPubPort       int    `json:"iopub_port"`
	StdinPort       int    `json:"stdin_port"`
	ControlPort     int    `json:"control_port"`
	HBPort          int    `json:"hb_port"`
	Key             string `json:"key"`
	SignatureScheme string `json:"signature_scheme"`
	KernelName      string `json:"kernel_name,omitempty"`
}

// ReadConnectionFile reads and checks the connection file at path.
func ReadConnectionFile(path string) (*ConnectionInfo, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("connection file: %w", err)
	}
	return ParseConnection(data, path)
}

// ParseConnection parses and checks a connection file's JSON; name
// (the file) prefixes errors. The transport defaults to tcp, the ip to
// 127.0.0.1 and the signature scheme to hmac-sha256, the only one
// supported; an empty key disables signing, as in Jupyter. A port of 0
// asks for any free port (Kernel.Connection reports the ones bound).
func ParseConnection(data []byte, name string) (*ConnectionInfo, error) {
	var c ConnectionInfo
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&c); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			line, col := lineCol(data, se.Offset-1)
			return nil, fmt.Errorf("connection file %s:%d:%d: %w", name, line, col, err)
		case errors.As(err, &te):
			line, col := lineCol(data, te.Offset-1)
			return nil, fmt.Errorf("connection file %s:%d:%d: field %q: %w", name, line, col, te.Field, err)
		}
		return nil, fmt.Errorf("connection file %s: %w", name, err)
	}
	if c.Transport == "" {
		c.Transport = "tcp"
	}
	if c.IP == "" {
		c.IP = "127.0.0.1"
	}
	if c.SignatureScheme == "" {
		c.SignatureScheme = "hmac-sha256"
	}
	switch c.Transport {
	case "tcp":
		if net.ParseIP(c.IP) == nil && c.IP != "localhost" && c.IP != "*" {
			return nil, fmt.Errorf("connection file %s: field \"ip\": %q is not an IP address", name, c.IP)
		}
	case "ipc":
	default:
		return nil, fmt.Errorf("connection file %s: field \"transport\": %q is not tcp or ipc", name, c.Transport)
	}
	if c.SignatureScheme != "hmac-sha256" {
		return nil, fmt.Errorf("connection file %s: field \"signature_scheme\": %q is not supported (only hmac-sha256)", name, c.SignatureScheme)
	}
	for _, p := range []struct {
		field string
		port  int
	}{{"shell_port", c.ShellPort}, {"iopub_port", c.IOPubPort}, {"stdin_port", c.StdinPort}, {"control_port", c.ControlPort}, {"hb_port", c.HBPort}} {
		if p.port < 0 || p.port > 65535 {
			return nil, fmt.Errorf("connection file %s: field %q: %d is not a port", name, p.field, p.port)
		}
	}
	return &c, nil
}

func lineCol(data []byte, offset int64) (line, col int) {
	if offset < 0 {
		offset = 0
	}
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	line, col = 1, 1
	for _, b := range data[:offset] {
		if b == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

// endpoint is the ZeroMQ address of port.
func (c *ConnectionInfo) endpoint(port int) string {
	if c.Transport == "ipc" {
		return "ipc://" + c.IP + "-" + strconv.Itoa(port)
	}
	ip := c.IP
	if ip == "*" {
		ip = "0.0.0.0"
	}
	return "tcp://" + net.JoinHostPort(ip, strconv.Itoa(port))
}
