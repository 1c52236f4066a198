package testutil

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"
)

// TestNATSRoundTrip publishes and receives one message with the raw NATS
// protocol (no client library).
func TestNATSRoundTrip(t *testing.T) {
	n := StartNATS(t)
	if !strings.HasPrefix(n.URL(), "nats://127.0.0.1:") {
		t.Fatalf("URL() = %s", n.URL())
	}
	c, err := net.DialTimeout("tcp", n.Addr, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(c)
	if line, err := r.ReadString('\n'); err != nil || !strings.HasPrefix(line, "INFO ") {
		t.Fatalf("greeting %q, %v; want INFO", line, err)
	}
	if _, err := c.Write([]byte("CONNECT {\"verbose\":false}\r\nSUB eddy.test 1\r\nPUB eddy.test 5\r\nhello\r\nPING\r\n")); err != nil {
		t.Fatal(err)
	}
	var got []string
	for len(got) < 3 {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("after %q: %v", got, err)
		}
		got = append(got, strings.TrimRight(line, "\r\n"))
	}
	if want := "MSG eddy.test 1 5|hello|PONG"; strings.Join(got, "|") != want {
		t.Fatalf("got %q, want %q", strings.Join(got, "|"), want)
	}

	pid := n.p.cmd.Process.Pid
	c.Close()
	n.Stop()
	assertGone(t, pid, n.Addr)
}
