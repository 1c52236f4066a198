package kernel

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseConnection(t *testing.T) {
	full := `{
  "shell_port": 5001, "iopub_port": 5002, "stdin_port": 5003, "control_port": 5004, "hb_port": 5005,
  "ip": "127.0.0.1", "key": "abc", "transport": "tcp", "signature_scheme": "hmac-sha256", "kernel_name": "eddy"
}`
	for _, tc := range []struct {
		name, src, err string
		check          func(c *ConnectionInfo) bool
	}{
		{"full", full, "", func(c *ConnectionInfo) bool {
			return c.ShellPort == 5001 && c.HBPort == 5005 && c.Key == "abc" && c.endpoint(c.ShellPort) == "tcp://127.0.0.1:5001"
		}},
		{"defaults", `{"key": ""}`, "", func(c *ConnectionInfo) bool {
			return c.Transport == "tcp" && c.IP == "127.0.0.1" && c.SignatureScheme == "hmac-sha256"
		}},
		{"ipc", `{"transport": "ipc", "ip": "/tmp/k", "shell_port": 1}`, "", func(c *ConnectionInfo) bool {
			return c.endpoint(c.ShellPort) == "ipc:///tmp/k-1"
		}},
		{"ipv6", `{"ip": "::1", "hb_port": 9}`, "", func(c *ConnectionInfo) bool { return c.endpoint(c.HBPort) == "tcp://[::1]:9" }},
		{"scheme", `{"signature_scheme": "hmac-md5"}`, `c.json: field "signature_scheme": "hmac-md5" is not supported`, nil},
		{"transport", `{"transport": "udp"}`, `field "transport": "udp" is not tcp or ipc`, nil},
		{"port", `{"iopub_port": 70000}`, `field "iopub_port": 70000 is not a port`, nil},
		{"ip", `{"ip": "not an ip"}`, `field "ip": "not an ip" is not an IP address`, nil},
		{"syntax", "{\n  \"ip\": \"127.0.0.1\",\n  oops\n}", "c.json:3:3: ", nil},
		{"type", "{\"shell_port\": \"5001\"}", `c.json:1:21: field "shell_port"`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ParseConnection([]byte(tc.src), "c.json")
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("got %v, want an error containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(c) {
				t.Errorf("got %+v", c)
			}
		})
	}
}

func TestReadConnectionFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kernel-1.json")
	if _, err := ReadConnectionFile(path); err == nil || !strings.Contains(err.Error(), "kernel-1.json") {
		t.Errorf("missing file: %v", err)
	}
	if err := os.WriteFile(path, []byte(`{"key": "k", "shell_port": 1}`), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := ReadConnectionFile(path)
	if err != nil || c.Key != "k" || c.ShellPort != 1 {
		t.Errorf("got %+v, %v", c, err)
	}
}

func FuzzParseConnection(f *testing.F) {
	f.Add([]byte(`{"shell_port": 1, "ip": "127.0.0.1", "key": "k", "transport": "tcp"}`))
	f.Add([]byte(`{"transport": "ipc", "ip": "/tmp/x"}`))
	f.Add([]byte("{\n\"a\": ["))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConnection(data, "f.json")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "connection file f.json") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		for _, p := range []int{c.ShellPort, c.IOPubPort, c.StdinPort, c.ControlPort, c.HBPort} {
			if p < 0 || p > 65535 || c.endpoint(p) == "" {
				t.Fatalf("accepted port %d", p)
			}
		}
		if c.SignatureScheme != "hmac-sha256" || (c.Transport != "tcp" && c.Transport != "ipc") {
			t.Fatalf("accepted %+v", c)
		}
	})
}
