package kernel_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"image/png"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"

	"github.com/eddyml/eddy/flows/kernel"
)

const testKey = "3f1c0b7e-test-key"

// client is a Jupyter client over real zmq4 sockets.
type client struct {
	t       testing.TB
	signer  *kernel.Signer
	session string
	shell   zmq4.Socket
	control zmq4.Socket
	iopub   zmq4.Socket
	hb      zmq4.Socket
	replies chan *kernel.Message // shell and control replies
	pub     chan *kernel.Message
}

// startKernel runs a kernel on loopback (free ports) and connects a
// client to it. done receives Run's result.
func startKernel(t testing.TB, opts kernel.Options) (*client, *kernel.Kernel, chan error) {
	t.Helper()
	info, err := kernel.ParseConnection([]byte(`{"transport": "tcp", "ip": "127.0.0.1", "key": "`+testKey+`", "signature_scheme": "hmac-sha256"}`), "test")
	if err != nil {
		t.Fatal(err)
	}
	var log syncBuffer
	opts.Log = &log
	k, err := kernel.New(info, opts)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- k.Run(context.Background()) }()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("kernel log:\n%s", log.String())
		}
	})
	conn := k.Connection()
	ctx, cancel := context.WithCancel(context.Background())
	c := &client{t: t, signer: kernel.NewSigner(testKey), session: "client-session",
		shell: zmq4.NewDealer(ctx), control: zmq4.NewDealer(ctx), iopub: zmq4.NewSub(ctx), hb: zmq4.NewReq(ctx),
		replies: make(chan *kernel.Message, 64), pub: make(chan *kernel.Message, 256)}
	t.Cleanup(func() {
		cancel()
		for _, s := range []zmq4.Socket{c.shell, c.control, c.iopub, c.hb} {
			s.Close()
		}
	})
	ep := func(port int) string { return "tcp://127.0.0.1:" + itoa(port) }
	for _, d := range []struct {
		s    zmq4.Socket
		port int
	}{{c.shell, conn.ShellPort}, {c.control, conn.ControlPort}, {c.iopub, conn.IOPubPort}, {c.hb, conn.HBPort}} {
		if err := d.s.Dial(ep(d.port)); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.iopub.SetOption(zmq4.OptionSubscribe, ""); err != nil {
		t.Fatal(err)
	}
	go c.read(c.shell, c.replies)
	go c.read(c.control, c.replies)
	go c.read(c.iopub, c.pub)
	// Like jupyter_client's wait_for_ready: kernel_info until iopub
	// delivers (a PUB drops messages until the subscription arrives).
	deadline := time.Now().Add(10 * time.Second)
	for {
		id := c.send(c.shell, "kernel_info_request", map[string]any{})
		c.reply(id)
		select {
		case <-c.pub:
			c.drainPub(200 * time.Millisecond)
			return c, k, done
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("iopub never delivered")
		}
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func (c *client) read(s zmq4.Socket, ch chan *kernel.Message) {
	for {
		raw, err := s.Recv()
		if err != nil {
			return
		}
		m, err := kernel.Decode(raw.Frames, c.signer)
		if err != nil {
			c.t.Errorf("client: %v", err)
			continue
		}
		ch <- m
	}
}

// send sends a request and returns its msg_id.
func (c *client) send(s zmq4.Socket, msgType string, content any) string {
	return c.sendWith(s, c.signer, msgType, content)
}

func (c *client) sendWith(s zmq4.Socket, signer *kernel.Signer, msgType string, content any) string {
	c.t.Helper()
	body, err := json.Marshal(content)
	if err != nil {
		c.t.Fatal(err)
	}
	m := &kernel.Message{Header: kernel.NewHeader(msgType, c.session), Content: body}
	frames, err := kernel.Encode(m, signer)
	if err != nil {
		c.t.Fatal(err)
	}
	if err := s.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
		c.t.Fatal(err)
	}
	return m.Header.MsgID
}

func parentID(m *kernel.Message) string {
	var h kernel.Header
	_ = json.Unmarshal(m.Parent, &h)
	return h.MsgID
}

// reply waits for the reply to request id.
func (c *client) reply(id string) *kernel.Message {
	c.t.Helper()
	select {
	case m := <-c.replies:
		if parentID(m) != id {
			c.t.Fatalf("reply %s to %s, want a reply to %s", m.Header.MsgType, parentID(m), id)
		}
		return m
	case <-time.After(20 * time.Second):
		c.t.Fatalf("no reply to %s", id)
	}
	return nil
}

// published collects the iopub messages of request id up to its idle
// status.
func (c *client) published(id string) []*kernel.Message {
	c.t.Helper()
	var out []*kernel.Message
	timeout := time.After(20 * time.Second)
	for {
		select {
		case m := <-c.pub:
			if parentID(m) != id {
				continue
			}
			out = append(out, m)
			if m.Header.MsgType == "status" && content(c.t, m)["execution_state"] == "idle" {
				return out
			}
		case <-timeout:
			c.t.Fatalf("no idle status for %s; got %d messages", id, len(out))
		}
	}
}

func (c *client) drainPub(d time.Duration) {
	for {
		select {
		case <-c.pub:
		case <-time.After(d):
			return
		}
	}
}

func content(t testing.TB, m *kernel.Message) map[string]any {
	t.Helper()
	var c map[string]any
	if err := json.Unmarshal(m.Content, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// cell is what executing a cell gave.
type cell struct {
	reply   map[string]any
	stdout  string
	stderr  string
	result  map[string]any // execute_result data
	err     map[string]any // error content
	display []map[string]any
	types   []string
}

func (c *client) execute(code string) cell {
	c.t.Helper()
	id := c.send(c.shell, "execute_request", map[string]any{"code": code, "silent": false, "store_history": true,
		"user_expressions": map[string]any{}, "allow_stdin": false, "stop_on_error": true})
	var out cell
	out.reply = content(c.t, c.reply(id))
	for _, m := range c.published(id) {
		out.types = append(out.types, m.Header.MsgType)
		mc := content(c.t, m)
		switch m.Header.MsgType {
		case "stream":
			if mc["name"] == "stdout" {
				out.stdout += mc["text"].(string)
			} else {
				out.stderr += mc["text"].(string)
			}
		case "execute_result":
			out.result = mc["data"].(map[string]any)
		case "error":
			out.err = mc
		case "display_data":
			out.display = append(out.display, mc["data"].(map[string]any))
		}
	}
	return out
}

func TestKernelInfoAndHeartbeat(t *testing.T) {
	c, _, _ := startKernel(t, kernel.Options{Version: "test"})
	id := c.send(c.shell, "kernel_info_request", map[string]any{})
	r := c.reply(id)
	if r.Header.MsgType != "kernel_info_reply" {
		t.Fatalf("got %s", r.Header.MsgType)
	}
	info := content(t, r)
	if info["protocol_version"] != "5.3" || info["implementation"] != "eddy" || info["status"] != "ok" {
		t.Errorf("kernel_info %v", info)
	}
	if li := info["language_info"].(map[string]any); li["name"] != "python" || li["file_extension"] != ".py" {
		t.Errorf("language_info %v", li)
	}
	types := []string{}
	for _, m := range c.published(id) {
		types = append(types, m.Header.MsgType+":"+content(t, m)["execution_state"].(string))
	}
	if strings.Join(types, ",") != "status:busy,status:idle" {
		t.Errorf("iopub %v", types)
	}

	if err := c.hb.Send(zmq4.NewMsgString("ping")); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	go func() {
		m, err := c.hb.Recv()
		if err == nil {
			got <- string(m.Bytes())
		}
	}()
	select {
	case s := <-got:
		if s != "ping" {
			t.Errorf("heartbeat echoed %q", s)
		}
	case <-time.After(10 * time.Second):
		t.Error("no heartbeat echo")
	}

	id = c.send(c.control, "comm_info_request", map[string]any{})
	if r := content(t, c.reply(id)); r["status"] != "ok" || len(r["comms"].(map[string]any)) != 0 {
		t.Errorf("comm_info %v", r)
	}
	for _, tc := range []struct{ code, status string }{{"x = 1", "complete"}, {"def f():", "incomplete"}, {"x = = 1", "invalid"}} {
		id = c.send(c.shell, "is_complete_request", map[string]any{"code": tc.code})
		if r := content(t, c.reply(id)); r["status"] != tc.status {
			t.Errorf("is_complete(%q) = %v, want %s", tc.code, r, tc.status)
		}
	}
}

func TestKernelExecute(t *testing.T) {
	c, _, _ := startKernel(t, kernel.Options{})
	r := c.execute("a = 40\nprint('a is', a)\nimport sys\nn = sys.stderr.write('careful\\n')")
	if r.reply["status"] != "ok" || r.reply["execution_count"] != 1.0 {
		t.Errorf("reply %v", r.reply)
	}
	if r.stdout != "a is 40\n" || r.stderr != "careful\n" || r.result != nil {
		t.Errorf("cell 1: stdout %q stderr %q result %v", r.stdout, r.stderr, r.result)
	}
	if r.types[0] != "status" || r.types[1] != "execute_input" || r.types[len(r.types)-1] != "status" {
		t.Errorf("iopub order %v", r.types)
	}
	// State survives between cells; the trailing expression is the result.
	r = c.execute("def f(x):\n    return x + a\nf(2)")
	if r.reply["status"] != "ok" || r.reply["execution_count"] != 2.0 || r.result["text/plain"] != "42" {
		t.Errorf("cell 2: reply %v result %v", r.reply, r.result)
	}
	// The eddy module, and a table shown as HTML.
	r = c.execute("import eddy\nt = eddy.generate(kind='classification', rows=30, seed=1)\nprint('rows', t.num_rows())\nt")
	if r.stdout != "rows 30\n" || !strings.Contains(r.result["text/plain"].(string), "30 rows") ||
		!strings.Contains(fmtAny(r.result["text/html"]), "<table>") {
		t.Errorf("cell 3: stdout %q result %v", r.stdout, r.result)
	}
	// An error names the type, the value and the cell line.
	r = c.execute("y = 1\n\nf(None)")
	if r.reply["status"] != "error" || r.err == nil || r.err["ename"] != "TypeError" {
		t.Fatalf("error cell: reply %v error %v", r.reply, r.err)
	}
	tb := strings.Join(toStrings(r.err["traceback"]), "\n")
	if !strings.Contains(tb, `File "<cell 4>", line 3`) || !strings.Contains(tb, `File "<cell 2>", line 2`) || !strings.Contains(tb, "return x + a") {
		t.Errorf("traceback:\n%s", tb)
	}
	// Still alive, with y set before the error.
	r = c.execute("y + a")
	if r.result["text/plain"] != "41" || r.reply["execution_count"] != 5.0 {
		t.Errorf("after error: %v %v", r.reply, r.result)
	}
}

func fmtAny(v any) string {
	s, _ := v.(string)
	return s
}

func toStrings(v any) []string {
	items, _ := v.([]any)
	out := make([]string, len(items))
	for i, it := range items {
		out[i], _ = it.(string)
	}
	return out
}

func TestKernelRejectsBadSignature(t *testing.T) {
	c, _, _ := startKernel(t, kernel.Options{})
	c.sendWith(c.shell, kernel.NewSigner("not-the-key"), "execute_request", map[string]any{"code": "marker = 1"})
	// Frames signed with the right key but tampered content.
	m := &kernel.Message{Header: kernel.NewHeader("execute_request", c.session), Content: []byte(`{"code": "marker = 2"}`)}
	frames, err := kernel.Encode(m, c.signer)
	if err != nil {
		t.Fatal(err)
	}
	frames[len(frames)-1] = []byte(`{"code": "marker = 3"}`)
	if err := c.shell.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
		t.Fatal(err)
	}
	r := c.execute("marker")
	if r.reply["status"] != "error" || r.err["ename"] != "NameError" || r.reply["execution_count"] != 1.0 {
		t.Errorf("a badly signed request ran: reply %v error %v", r.reply, r.err)
	}
}

func TestKernelInterruptAndShutdown(t *testing.T) {
	c, _, done := startKernel(t, kernel.Options{})
	c.execute("keep = 7")
	// A runaway cell (it ends by itself after a few seconds, so that no
	// goroutine outlives the test for long).
	id := c.send(c.shell, "execute_request", map[string]any{"code": "n = 0\nwhile n < 5000000:\n    n += 1\n    if n % 10000 == 0:\n        print(n, 'x' * 20000)\n"})
	time.Sleep(200 * time.Millisecond)
	iid := c.send(c.control, "interrupt_request", map[string]any{})
	interrupted := time.Now()
	var execReply map[string]any
	for range 2 {
		select {
		case m := <-c.replies:
			switch parentID(m) {
			case iid:
				if m.Header.MsgType != "interrupt_reply" {
					t.Errorf("got %s", m.Header.MsgType)
				}
			case id:
				execReply = content(t, m)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no reply after interrupt")
		}
	}
	if execReply["status"] != "error" || execReply["ename"] != "KeyboardInterrupt" || !strings.Contains(execReply["evalue"].(string), "lost") {
		t.Errorf("interrupted cell: %v", execReply)
	}
	// A fresh interpreter: earlier state is gone, the kernel works.
	r := c.execute("print(1 + 1)\nkeep")
	if r.stdout != "2\n" || r.err == nil || r.err["ename"] != "NameError" {
		t.Errorf("after interrupt: stdout %q err %v", r.stdout, r.err)
	}

	// The abandoned code keeps printing, but nothing of it is published.
	runaway := id
	deadline := time.After(500 * time.Millisecond)
	for done := false; !done; {
		select {
		case m := <-c.pub:
			if parentID(m) == runaway && m.Header.MsgType == "stream" && time.Since(interrupted) > 300*time.Millisecond {
				t.Errorf("stream from the abandoned cell %s after the interrupt", content(t, m)["text"])
				done = true
			}
		case <-deadline:
			done = true
		}
	}

	id = c.send(c.control, "shutdown_request", map[string]any{"restart": false})
	if r := content(t, c.reply(id)); r["status"] != "ok" || r["restart"] != false {
		t.Errorf("shutdown reply %v", r)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Error(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("kernel still running after shutdown")
	}
}

func TestKernelCellTimeout(t *testing.T) {
	c, _, _ := startKernel(t, kernel.Options{CellTimeout: 300 * time.Millisecond})
	r := c.execute("n = 0\nwhile n < 5000000:\n    n += 1\n")
	if r.err == nil || r.err["ename"] != "TimeoutError" {
		t.Errorf("timed out cell: %v", r.err)
	}
	if r = c.execute("3 * 3"); r.result["text/plain"] != "9" {
		t.Errorf("after timeout: %v %v", r.reply, r.result)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestKernelPlotDisplay(t *testing.T) {
	c, _, _ := startKernel(t, kernel.Options{})
	r := c.execute("import eddy\neddy.plot_line(None, {'a': [1, 3, 2], 'b': [2, 2, 1]}, width=160, height=90, title='t')\nprint('after')")
	if r.reply["status"] != "ok" || len(r.display) != 1 || r.stdout != "after\n" {
		t.Fatalf("reply %v, %d displays, stdout %q", r.reply, len(r.display), r.stdout)
	}
	b64, _ := r.display[0]["image/png"].(string)
	data, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 160 || b.Dy() != 90 {
		t.Errorf("png %v, want 160x90", b)
	}
	if r.display[0]["text/plain"] == nil {
		t.Error("no text/plain fallback")
	}
}
