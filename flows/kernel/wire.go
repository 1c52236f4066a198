package kernel

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ProtocolVersion is the Jupyter messaging protocol the kernel speaks.
const ProtocolVersion = "5.3"

// delimiter separates the routing identities from the message frames.
const delimiter = "<IDS|MSG>"

// ErrBadSignature is wrapped by Decode's error for a message whose HMAC
// does not match: the kernel drops it.
var ErrBadSignature = errors.New("bad message signature")

// Header is a Jupyter message header.
type Header struct {
	MsgID    string `json:"msg_id"`
	Session  string `json:"session"`
	Username string `json:"username"`
	Date     string `json:"date"`
	MsgType  string `json:"msg_type"`
	Version  string `json:"version"`
}

// Message is one Jupyter message. Parent is the raw header of the
// request it answers ({} for none).
type Message struct {
	Identities [][]byte
	Header     Header
	Parent     json.RawMessage
	Metadata   json.RawMessage
	Content    json.RawMessage
	Buffers    [][]byte

	rawHeader json.RawMessage // the header as received, for replies' parent_header
}

// Signer signs and verifies messages with HMAC-SHA256 over the header,
// parent header, metadata and content frames. An empty key signs with
// an empty signature and accepts any.
type Signer struct{ key []byte }

// NewSigner returns a signer for key.
func NewSigner(key string) *Signer { return &Signer{key: []byte(key)} }

// Sign returns the hex HMAC of the four frames.
func (s *Signer) Sign(header, parent, metadata, content []byte) string {
	if len(s.key) == 0 {
		return ""
	}
	h := hmac.New(sha256.New, s.key)
	h.Write(header)
	h.Write(parent)
	h.Write(metadata)
	h.Write(content)
	return hex.EncodeToString(h.Sum(nil))
}

func (s *Signer) verify(sig []byte, header, parent, metadata, content []byte) bool {
	if len(s.key) == 0 {
		return true
	}
	want := s.Sign(header, parent, metadata, content)
	return hmac.Equal(bytes.ToLower(sig), []byte(want))
}

// Decode parses the frames of a message received on a socket and checks
// its signature.
func Decode(frames [][]byte, s *Signer) (*Message, error) {
	i := 0
	for i < len(frames) && string(frames[i]) != delimiter {
		i++
	}
	if i == len(frames) {
		return nil, fmt.Errorf("decode message: no %s delimiter in %d frames", delimiter, len(frames))
	}
	rest := frames[i+1:]
	if len(rest) < 5 {
		return nil, fmt.Errorf("decode message: %d frames after the delimiter, want at least 5", len(rest))
	}
	if !s.verify(rest[0], rest[1], rest[2], rest[3], rest[4]) {
		return nil, fmt.Errorf("decode message: %w", ErrBadSignature)
	}
	m := &Message{Identities: frames[:i], Buffers: rest[5:], rawHeader: json.RawMessage(rest[1])}
	if err := json.Unmarshal(rest[1], &m.Header); err != nil {
		return nil, fmt.Errorf("decode message: header: %w", err)
	}
	for _, f := range []struct {
		name string
		raw  []byte
		dst  *json.RawMessage
	}{{"parent_header", rest[2], &m.Parent}, {"metadata", rest[3], &m.Metadata}, {"content", rest[4], &m.Content}} {
		if !json.Valid(f.raw) {
			return nil, fmt.Errorf("decode message %s: %s is not JSON", m.Header.MsgType, f.name)
		}
		*f.dst = json.RawMessage(f.raw)
	}
	return m, nil
}

// Encode returns the frames of m signed by s.
func Encode(m *Message, s *Signer) ([][]byte, error) {
	header, err := json.Marshal(m.Header)
	if err != nil {
		return nil, fmt.Errorf("encode message: header: %w", err)
	}
	parent, metadata, content := orEmpty(m.Parent), orEmpty(m.Metadata), orEmpty(m.Content)
	frames := make([][]byte, 0, len(m.Identities)+6+len(m.Buffers))
	frames = append(frames, m.Identities...)
	frames = append(frames, []byte(delimiter), []byte(s.Sign(header, parent, metadata, content)), header, parent, metadata, content)
	return append(frames, m.Buffers...), nil
}

func orEmpty(b json.RawMessage) []byte {
	if len(b) == 0 {
		return []byte("{}")
	}
	return b
}

// newID returns a random UUID (version 4) string.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// NewHeader returns a header for a new message of msgType in session.
func NewHeader(msgType, session string) Header {
	return Header{MsgID: newID(), Session: session, Username: "eddy",
		Date: time.Now().UTC().Format("2006-01-02T15:04:05.000000Z"), MsgType: msgType, Version: ProtocolVersion}
}
