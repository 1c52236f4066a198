package kernel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-zeromq/zmq4"

	"github.com/eddyml/eddy/flows/pyscript"
	_ "github.com/eddyml/eddy/flows/pyscript/flowrun" // eddy.flow_run in notebooks
	"github.com/eddyml/eddy/internal/pybridge"
)

// Options configure a Kernel.
type Options struct {
	// CellTimeout bounds the run time of each cell; 0 means none. A cell
	// that outlives it is abandoned as on an interrupt.
	CellTimeout time.Duration
	// Log receives diagnostics (rejected messages, unknown requests);
	// nil discards them.
	Log io.Writer
	// Version is the implementation version reported by kernel_info.
	Version string
}

// errInterrupted is the cause of a cell's context cancelled by an
// interrupt request.
var errInterrupted = errors.New("interrupted")

// Kernel is a Jupyter kernel running gpython cells with the eddy module
// in one persistent interpreter. Build it with New, run it with Run.
type Kernel struct {
	info    ConnectionInfo
	opts    Options
	signer  *Signer
	session string
	ctx     context.Context // sockets' context
	cancel  context.CancelFunc

	shell, control, stdin, iopub, hb zmq4.Socket
	shellMu, controlMu, iopubMu      sync.Mutex

	execMu sync.Mutex        // one cell at a time, whichever socket asks
	py     *pybridge.Session // under execMu
	count  int               // under execMu

	cellMu     sync.Mutex
	cancelCell context.CancelCauseFunc

	stopOnce sync.Once
	stop     chan struct{}
	logMu    sync.Mutex
}

// New binds the kernel's five sockets as info says (a port of 0 binds
// any free port: see Connection) and starts its interpreter.
func New(info *ConnectionInfo, opts Options) (k *Kernel, err error) {
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	py, err := pybridge.NewSession()
	if err != nil {
		return nil, fmt.Errorf("kernel: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	k = &Kernel{info: *info, opts: opts, signer: NewSigner(info.Key), session: newID(),
		ctx: ctx, cancel: cancel, py: py, stop: make(chan struct{})}
	defer func() {
		if err != nil {
			k.close()
		}
	}()
	bind := func(s zmq4.Socket, port *int, name string) (zmq4.Socket, error) {
		if err := s.Listen(k.info.endpoint(*port)); err != nil {
			s.Close()
			return nil, fmt.Errorf("kernel: %s socket: %w", name, err)
		}
		if a, ok := s.Addr().(*net.TCPAddr); ok {
			*port = a.Port
		}
		return s, nil
	}
	if k.shell, err = bind(zmq4.NewRouter(ctx), &k.info.ShellPort, "shell"); err != nil {
		return nil, err
	}
	if k.control, err = bind(zmq4.NewRouter(ctx), &k.info.ControlPort, "control"); err != nil {
		return nil, err
	}
	if k.stdin, err = bind(zmq4.NewRouter(ctx), &k.info.StdinPort, "stdin"); err != nil {
		return nil, err
	}
	if k.iopub, err = bind(zmq4.NewPub(ctx), &k.info.IOPubPort, "iopub"); err != nil {
		return nil, err
	}
	if k.hb, err = bind(zmq4.NewRep(ctx), &k.info.HBPort, "heartbeat"); err != nil {
		return nil, err
	}
	return k, nil
}

// Connection returns the connection info with the ports actually bound.
func (k *Kernel) Connection() ConnectionInfo { return k.info }

func (k *Kernel) close() {
	k.cancel()
	for _, s := range []zmq4.Socket{k.shell, k.control, k.stdin, k.iopub, k.hb} {
		if s != nil {
			s.Close()
		}
	}
	k.execMu.Lock()
	if k.py != nil {
		k.py.Close()
	}
	k.execMu.Unlock()
}

func (k *Kernel) logf(format string, args ...any) {
	k.logMu.Lock()
	defer k.logMu.Unlock()
	fmt.Fprintf(k.opts.Log, "eddy kernel: "+format+"\n", args...)
}

// Run serves requests until a shutdown_request or until ctx ends, then
// closes the sockets. A kernel runs once.
func (k *Kernel) Run(ctx context.Context) error {
	defer k.close()
	var wg sync.WaitGroup
	loops := []func(){
		func() { k.serve(k.shell, &k.shellMu, "shell") },
		func() { k.serve(k.control, &k.controlMu, "control") },
		k.heartbeat,
		func() { k.drain(k.stdin) },
	}
	for _, loop := range loops {
		wg.Add(1)
		go func() { defer wg.Done(); loop() }()
	}
	k.publish(nil, "status", map[string]any{"execution_state": "starting"})
	select {
	case <-ctx.Done():
	case <-k.stop:
	}
	k.Interrupt()
	k.cancel()
	for _, s := range []zmq4.Socket{k.shell, k.control, k.stdin, k.iopub, k.hb} {
		s.Close()
	}
	wg.Wait()
	return nil
}

// Interrupt abandons the running cell, if any (what an interrupt_request
// does).
func (k *Kernel) Interrupt() {
	k.cellMu.Lock()
	defer k.cellMu.Unlock()
	if k.cancelCell != nil {
		k.cancelCell(errInterrupted)
	}
}

func (k *Kernel) stopped() bool {
	select {
	case <-k.stop:
		return true
	default:
		return k.ctx.Err() != nil
	}
}

func (k *Kernel) heartbeat() {
	for {
		msg, err := k.hb.Recv()
		if err != nil {
			return
		}
		if err := k.hb.Send(msg); err != nil && !k.stopped() {
			k.logf("heartbeat: %v", err)
		}
	}
}

// drain reads the stdin socket: the kernel never asks for input.
func (k *Kernel) drain(s zmq4.Socket) {
	for {
		if _, err := s.Recv(); err != nil {
			return
		}
	}
}

func (k *Kernel) serve(sock zmq4.Socket, mu *sync.Mutex, name string) {
	for {
		raw, err := sock.Recv()
		if err != nil {
			if !k.stopped() {
				k.logf("%s: %v", name, err)
			}
			return
		}
		msg, err := Decode(raw.Frames, k.signer)
		if err != nil {
			k.logf("%s: rejected: %v", name, err)
			continue
		}
		k.handle(sock, mu, msg)
		if k.stopped() {
			return
		}
	}
}

// reply sends a reply to req on sock.
func (k *Kernel) reply(sock zmq4.Socket, mu *sync.Mutex, req *Message, msgType string, content any) {
	m, err := k.message(req, msgType, content)
	if err != nil {
		k.logf("%s: %v", msgType, err)
		return
	}
	m.Identities = req.Identities
	k.send(sock, mu, m)
}

func (k *Kernel) message(parent *Message, msgType string, content any) (*Message, error) {
	c, err := json.Marshal(content)
	if err != nil {
		return nil, fmt.Errorf("encode %s content: %w", msgType, err)
	}
	m := &Message{Header: NewHeader(msgType, k.session), Content: c}
	if parent != nil {
		m.Parent = parent.rawHeader
	}
	return m, nil
}

func (k *Kernel) send(sock zmq4.Socket, mu *sync.Mutex, m *Message) {
	frames, err := Encode(m, k.signer)
	if err != nil {
		k.logf("%v", err)
		return
	}
	mu.Lock()
	defer mu.Unlock()
	if err := sock.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil && !k.stopped() {
		k.logf("send %s: %v", m.Header.MsgType, err)
	}
}

// publish sends a message on iopub.
func (k *Kernel) publish(parent *Message, msgType string, content any) {
	m, err := k.message(parent, msgType, content)
	if err != nil {
		k.logf("%s: %v", msgType, err)
		return
	}
	m.Identities = [][]byte{[]byte("kernel." + k.session + "." + msgType)}
	k.send(k.iopub, &k.iopubMu, m)
}

func (k *Kernel) status(parent *Message, state string) {
	k.publish(parent, "status", map[string]any{"execution_state": state})
}

func (k *Kernel) handle(sock zmq4.Socket, mu *sync.Mutex, req *Message) {
	k.status(req, "busy")
	defer k.status(req, "idle")
	switch t := req.Header.MsgType; t {
	case "kernel_info_request":
		k.reply(sock, mu, req, "kernel_info_reply", k.kernelInfo())
	case "execute_request":
		k.execute(sock, mu, req)
	case "is_complete_request":
		var c struct {
			Code string `json:"code"`
		}
		_ = json.Unmarshal(req.Content, &c)
		status, indent := pybridge.IsComplete(c.Code)
		content := map[string]any{"status": status}
		if status == "incomplete" {
			content["indent"] = indent
		}
		k.reply(sock, mu, req, "is_complete_reply", content)
	case "comm_info_request":
		k.reply(sock, mu, req, "comm_info_reply", map[string]any{"status": "ok", "comms": map[string]any{}})
	case "complete_request":
		var c struct {
			CursorPos int `json:"cursor_pos"`
		}
		_ = json.Unmarshal(req.Content, &c)
		k.reply(sock, mu, req, "complete_reply", map[string]any{"status": "ok", "matches": []string{},
			"cursor_start": c.CursorPos, "cursor_end": c.CursorPos, "metadata": map[string]any{}})
	case "inspect_request":
		k.reply(sock, mu, req, "inspect_reply", map[string]any{"status": "ok", "found": false,
			"data": map[string]any{}, "metadata": map[string]any{}})
	case "history_request":
		k.reply(sock, mu, req, "history_reply", map[string]any{"status": "ok", "history": []any{}})
	case "interrupt_request":
		k.Interrupt()
		k.reply(sock, mu, req, "interrupt_reply", map[string]any{"status": "ok"})
	case "shutdown_request":
		var c struct {
			Restart bool `json:"restart"`
		}
		_ = json.Unmarshal(req.Content, &c)
		k.reply(sock, mu, req, "shutdown_reply", map[string]any{"status": "ok", "restart": c.Restart})
		k.stopOnce.Do(func() { close(k.stop) })
	default:
		k.logf("unsupported request %q ignored", t)
	}
}

func (k *Kernel) kernelInfo() map[string]any {
	return map[string]any{
		"status":                 "ok",
		"protocol_version":       ProtocolVersion,
		"implementation":         "eddy",
		"implementation_version": k.opts.Version,
		"language_info": map[string]any{
			"name":               "python",
			"version":            "3.4",
			"mimetype":           "text/x-python",
			"file_extension":     ".py",
			"pygments_lexer":     "python3",
			"codemirror_mode":    map[string]any{"name": "python", "version": 3},
			"nbconvert_exporter": "python",
		},
		"banner":     "Eddy " + k.opts.Version + " on gpython (a Python 3.4 subset without C modules): `import eddy` for the scripting API.",
		"help_links": []any{},
	}
}

type executeRequest struct {
	Code         string `json:"code"`
	Silent       bool   `json:"silent"`
	StoreHistory *bool  `json:"store_history"`
}

func (k *Kernel) execute(sock zmq4.Socket, mu *sync.Mutex, req *Message) {
	k.execMu.Lock()
	defer k.execMu.Unlock()
	var c executeRequest
	if err := json.Unmarshal(req.Content, &c); err != nil {
		k.reply(sock, mu, req, "execute_reply", errorContent(k.count, "ValueError", "bad execute_request: "+err.Error(), nil))
		return
	}
	store := !c.Silent && (c.StoreHistory == nil || *c.StoreHistory)
	if store {
		k.count++
	}
	count := k.count
	file := fmt.Sprintf("<cell %d>", count)
	if !store {
		file = "<cell>"
	}
	if !c.Silent {
		k.publish(req, "execute_input", map[string]any{"code": c.Code, "execution_count": count})
	}
	res, err := k.runCell(req, c.Code, file, c.Silent)
	if err != nil {
		ename, evalue, tb := k.describeErr(err)
		if !c.Silent {
			k.publish(req, "error", map[string]any{"ename": ename, "evalue": evalue, "traceback": tb})
		}
		k.reply(sock, mu, req, "execute_reply", errorContent(count, ename, evalue, tb))
		return
	}
	if res.HasValue && !c.Silent {
		k.publish(req, "execute_result", map[string]any{"execution_count": count,
			"data": resultData(res), "metadata": map[string]any{}})
	}
	k.reply(sock, mu, req, "execute_reply", map[string]any{"status": "ok", "execution_count": count,
		"user_expressions": map[string]any{}, "payload": []any{}})
}

func errorContent(count int, ename, evalue string, tb []string) map[string]any {
	if tb == nil {
		tb = []string{}
	}
	return map[string]any{"status": "error", "execution_count": count, "ename": ename, "evalue": evalue, "traceback": tb}
}

// resultData is the mime bundle of a cell's value: its repr, and HTML
// for an eddy table.
func resultData(res *pybridge.ExecResult) map[string]any {
	data := map[string]any{"text/plain": res.Repr}
	if html, ok := pyscript.HTML(res.Value); ok {
		data["text/html"] = html
	}
	return data
}

// runCell runs code in the interpreter, streaming print output to
// iopub; an abandoned interpreter is replaced by a fresh one.
func (k *Kernel) runCell(req *Message, code, file string, silent bool) (*pybridge.ExecResult, error) {
	ctx, cancel := context.WithCancelCause(k.ctx)
	if k.opts.CellTimeout > 0 {
		var stop context.CancelFunc
		ctx, stop = context.WithTimeout(ctx, k.opts.CellTimeout)
		defer stop()
	}
	k.cellMu.Lock()
	k.cancelCell = cancel
	k.cellMu.Unlock()
	defer func() {
		k.cellMu.Lock()
		k.cancelCell = nil
		k.cellMu.Unlock()
		cancel(nil)
	}()
	out := newStream(k, req, "stdout", silent)
	errOut := newStream(k, req, "stderr", silent)
	var live atomic.Bool // displays of an abandoned cell are dropped
	live.Store(true)
	defer live.Store(false)
	ctx = pyscript.WithDisplay(ctx, func(data map[string][]byte) {
		if !silent && live.Load() {
			k.display(req, data)
		}
	})
	done := make(chan struct{})
	flushed := make(chan struct{})
	go func() {
		defer close(flushed)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				out.flush()
				errOut.flush()
			}
		}
	}()
	res, err := k.py.Exec(ctx, code, file, out, errOut)
	close(done)
	<-flushed
	live.Store(false)
	out.close()
	errOut.close()
	if errors.Is(err, pybridge.ErrDeadline) {
		why := "interrupted"
		if context.Cause(ctx) != errInterrupted {
			why = "timed out"
		}
		if k.stopped() {
			return nil, err
		}
		fresh, nerr := pybridge.NewSession()
		if nerr != nil {
			return nil, fmt.Errorf("%w; starting a new interpreter: %w", err, nerr)
		}
		k.py.Close()
		k.py = fresh
		return nil, &abandoned{why: why, err: err}
	}
	return res, err
}

// abandoned is the error of a cell whose interpreter was abandoned.
type abandoned struct {
	why string
	err error
}

func (a *abandoned) Error() string { return a.err.Error() }
func (a *abandoned) Unwrap() error { return a.err }

// describeErr turns a cell's error into Jupyter's ename, evalue and
// traceback lines.
func (k *Kernel) describeErr(err error) (ename, evalue string, tb []string) {
	var pe *pybridge.Error
	var ab *abandoned
	switch {
	case errors.As(err, &pe):
		ename, evalue = pe.Type, pe.Message
		if pe.Traceback != "" {
			tb = strings.Split(strings.TrimRight(pe.Traceback, "\n"), "\n")
		} else {
			tb = []string{pe.Error()}
		}
	case errors.As(err, &ab):
		ename = "KeyboardInterrupt"
		if ab.why == "timed out" {
			ename = "TimeoutError"
		}
		evalue = "cell " + ab.why + ": gpython cannot stop running code, so the interpreter was abandoned and replaced by a fresh one; " +
			"the variables and imports of earlier cells are lost (run them again)"
		tb = []string{ename + ": " + evalue}
	default:
		ename, evalue = "RuntimeError", err.Error()
		tb = []string{ename + ": " + evalue}
	}
	return ename, evalue, tb
}
