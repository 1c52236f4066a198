package kernel

import (
	"bytes"
	"encoding/base64"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
)

// stream buffers what a cell prints and publishes it as stream
// messages on iopub: at each flush (every 100 ms while the cell runs,
// and at its end) or when 64 KiB are pending.
type stream struct {
	k      *Kernel
	parent *Message
	name   string
	silent bool

	mu     sync.Mutex
	buf    bytes.Buffer
	closed bool
}

const streamMax = 64 << 10

func newStream(k *Kernel, parent *Message, name string, silent bool) *stream {
	return &stream{k: k, parent: parent, name: name, silent: silent}
}

func (s *stream) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.silent || s.closed {
		return len(p), nil
	}
	s.buf.Write(p)
	if s.buf.Len() >= streamMax {
		s.flushLocked()
	}
	return len(p), nil
}

// close flushes and drops later writes (an abandoned cell's).
func (s *stream) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flushLocked()
	s.closed = true
}

func (s *stream) flush() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flushLocked()
}

func (s *stream) flushLocked() {
	if s.buf.Len() == 0 {
		return
	}
	b := s.buf.Bytes()
	// Keep an incomplete UTF-8 sequence for the next flush.
	n := len(b)
	for i := n - 1; i >= 0 && i >= n-3; i-- {
		if b[i]&0xC0 != 0x80 { // the start of the last rune
			if !utf8.FullRune(b[i:]) {
				n = i
			}
			break
		}
	}
	if n == 0 {
		return
	}
	text := strings.ToValidUTF8(string(b[:n]), "\uFFFD")
	rest := append([]byte(nil), b[n:]...)
	s.buf.Reset()
	s.buf.Write(rest)
	s.k.publish(s.parent, "stream", map[string]any{"name": s.name, "text": text})
}

// display publishes rich output: binary data (images) base64, text as is.
func (k *Kernel) display(parent *Message, data map[string][]byte) {
	bundle := make(map[string]any, len(data)+1)
	mimes := make([]string, 0, len(data))
	for m := range data {
		mimes = append(mimes, m)
	}
	sort.Strings(mimes)
	for _, m := range mimes {
		if strings.HasPrefix(m, "text/") || m == "application/json" || strings.HasSuffix(m, "+xml") {
			bundle[m] = string(data[m])
		} else {
			bundle[m] = base64.StdEncoding.EncodeToString(data[m])
		}
	}
	if _, ok := bundle["text/plain"]; !ok {
		bundle["text/plain"] = "<" + strings.Join(mimes, ", ") + ">"
	}
	k.publish(parent, "display_data", map[string]any{"data": bundle, "metadata": map[string]any{}, "transient": map[string]any{}})
}
