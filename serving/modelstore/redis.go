package modelstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
)

const (
	defaultPrefix     = "eddy:modelstore:"
	defaultChunkSize  = 512 << 10
	defaultUploadTTL  = time.Hour
	publishedTTL      = 24 * time.Hour
	defaultAttempts   = 6
	defaultMinBackoff = 50 * time.Millisecond
	defaultMaxBackoff = 2 * time.Second
	watchBlock        = time.Second
)

// RedisStore is the Redis backend. Key layout, under the prefix:
//
//	models                 SET of model names
//	m:NAME:ctr             version counter (INCR)
//	m:NAME:vs              ZSET of visible versions
//	m:NAME:v:N             HASH: info (JSON), stage, size, sha256, created, updated, blob, chunks
//	m:NAME:dep             ZSET of deployed versions
//	m:NAME:al              HASH alias -> version
//	b:ID:I                 blob chunk I of upload ID (with a TTL until published)
//	pub:ID                 version an upload was published as (makes retries idempotent)
//	evseq                  event counter (INCR)
//	events                 STREAM, entry ID 0-SEQ, field e (JSON)
//	cursors                HASH subscriber -> acked seq
//
// Every change is one Lua script, so it is atomic and emits its events in
// the same step.
type RedisStore struct {
	c         *redis.Client
	p         string
	now       func() time.Time
	chunk     int
	uploadTTL time.Duration
	retry     RetryPolicy
}

var _ Store = (*RedisStore)(nil)

// OpenRedis connects to redis://[user:password@]host:port/db (or
// rediss:// for TLS). The query parameter prefix=... sets the key prefix;
// other go-redis URL parameters pass through. It pings the server (with
// retries) before returning.
func OpenRedis(ctx context.Context, rawURL string, opts *Options) (*RedisStore, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("open registry %q: %w", rawURL, err)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("open registry %q: missing host:port", rawURL)
	}
	q := u.Query()
	prefix := defaultPrefix
	if opts != nil && opts.Prefix != "" {
		prefix = opts.Prefix
	}
	if q.Has("prefix") {
		prefix = q.Get("prefix")
		q.Del("prefix")
		u.RawQuery = q.Encode()
	}
	ro, err := redis.ParseURL(u.String())
	if err != nil {
		return nil, fmt.Errorf("open registry %q: %w", rawURL, err)
	}
	ro.MaxRetries = -1 // we retry ourselves, knowing which calls are idempotent
	ro.ContextTimeoutEnabled = true
	ro.DialerRetries = 1 // likewise for dials
	if ro.DialTimeout == 0 || ro.DialTimeout > 2*time.Second {
		ro.DialTimeout = 2 * time.Second
	}
	s := NewRedis(redis.NewClient(ro), prefix, opts)
	if err := s.do(ctx, "ping", func(ctx context.Context, _ int) error { return s.c.Ping(ctx).Err() }); err != nil {
		s.c.Close()
		return nil, fmt.Errorf("open registry %q: %w", rawURL, err)
	}
	return s, nil
}

// NewRedis wraps a client the caller configured (set MaxRetries to -1:
// the store retries itself). Close closes the client.
func NewRedis(c *redis.Client, prefix string, opts *Options) *RedisStore {
	s := &RedisStore{c: c, p: prefix, now: opts.now(), chunk: defaultChunkSize, uploadTTL: defaultUploadTTL,
		retry: RetryPolicy{Attempts: defaultAttempts, MinBackoff: defaultMinBackoff, MaxBackoff: defaultMaxBackoff}}
	if opts != nil {
		if opts.ChunkSize > 0 {
			s.chunk = opts.ChunkSize
		}
		if opts.UploadTTL > 0 {
			s.uploadTTL = opts.UploadTTL
		}
		if opts.Retry.Attempts > 0 {
			s.retry.Attempts = opts.Retry.Attempts
		}
		if opts.Retry.MinBackoff > 0 {
			s.retry.MinBackoff = opts.Retry.MinBackoff
		}
		if opts.Retry.MaxBackoff > 0 {
			s.retry.MaxBackoff = opts.Retry.MaxBackoff
		}
	}
	return s
}

// Close closes the client.
func (s *RedisStore) Close() error { return s.c.Close() }

// ErrUnavailable wraps the last error when Redis could not be reached
// within the retry policy.
var ErrUnavailable = errors.New("redis unavailable")

// retryable tells connection trouble (worth another try) from answers.
func retryable(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, redis.ErrClosed) {
		return false
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	msg := err.Error()
	for _, p := range []string{"LOADING", "TRYAGAIN", "MASTERDOWN", "redis: connection pool timeout"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// do runs fn (attempt counts from 1) until it succeeds, fails for a
// reason other than the connection, the attempts run out, or ctx ends.
func (s *RedisStore) do(ctx context.Context, op string, fn func(ctx context.Context, attempt int) error) error {
	wait := s.retry.MinBackoff
	for attempt := 1; ; attempt++ {
		err := fn(ctx, attempt)
		if err == nil || !retryable(err) {
			return err
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", op, ctx.Err())
		}
		if attempt >= s.retry.Attempts {
			return fmt.Errorf("%s: %w after %d attempts: %w", op, ErrUnavailable, attempt, err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%s: %w (last error: %w)", op, ctx.Err(), err)
		case <-t.C:
		}
		wait = min(2*wait, s.retry.MaxBackoff)
	}
}

func (s *RedisStore) k(parts ...string) string { return s.p + strings.Join(parts, ":") }

func (s *RedisStore) vkey(name string, v int64) string {
	return s.k("m", name, "v", strconv.FormatInt(v, 10))
}

// luaEmit appends an event: emit(type, model, version, stage, alias, time)
// with KEYS[1] = evseq and KEYS[2] = events in every script. Names are
// validated ([A-Za-z0-9._-]), so plain concatenation is valid JSON.
const luaEmit = `
local function emit(typ, model, version, stage, alias, time)
  local seq = redis.call('INCR', KEYS[1])
  local e = '{"type":"' .. typ .. '","model":"' .. model .. '","version":' .. version
  if stage ~= '' then e = e .. ',"stage":"' .. stage .. '"' end
  if alias ~= '' then e = e .. ',"alias":"' .. alias .. '"' end
  e = e .. ',"time":"' .. time .. '"}'
  redis.call('XADD', KEYS[2], '0-' .. seq, 'e', e)
  return seq
end
`

// KEYS: evseq events ctr vs models pub
// ARGV: name vkeyprefix blobprefix nchunks info size sha256 now pubttl
var createScript = redis.NewScript(luaEmit + `
local done = redis.call('GET', KEYS[6])
if done then return tonumber(done) end
local n = tonumber(ARGV[4])
for i = 0, n - 1 do
  if redis.call('EXISTS', ARGV[3] .. i) == 0 then
    return redis.error_reply('INCOMPLETE chunk ' .. i .. ' of ' .. n .. ' is missing')
  end
end
for i = 0, n - 1 do redis.call('PERSIST', ARGV[3] .. i) end
local v = redis.call('INCR', KEYS[3])
redis.call('HSET', ARGV[2] .. v, 'info', ARGV[5], 'stage', 'generated', 'size', ARGV[6], 'sha256', ARGV[7],
  'created', ARGV[8], 'updated', ARGV[8], 'blob', ARGV[3], 'chunks', n)
redis.call('ZADD', KEYS[4], v, v)
redis.call('SADD', KEYS[5], ARGV[1])
redis.call('SET', KEYS[6], v, 'EX', ARGV[9])
emit('model.created', ARGV[1], v, 'generated', '', ARGV[8])
return v
`)

// KEYS: evseq events dep
// ARGV: name vkeyprefix version to now keepOthers allowedFrom...
// Returns the stage before the change and 1 if it changed; -1: refused.
var stageScript = redis.NewScript(luaEmit + `
local vk = ARGV[2] .. ARGV[3]
local cur = redis.call('HGET', vk, 'stage')
if not cur then return redis.error_reply('NOTFOUND missing') end
local to = ARGV[4]
if cur == to then return {cur, 0} end
local ok = false
for i = 7, #ARGV do if ARGV[i] == cur then ok = true end end
if not ok then return {cur, -1} end
local ev = {validated = 'model.validated', deployed = 'model.deployed', deprecated = 'model.deprecated', rejected = 'model.rejected'}
redis.call('HSET', vk, 'stage', to, 'updated', ARGV[5])
if cur == 'deployed' then redis.call('ZREM', KEYS[3], ARGV[3]) end
emit(ev[to], ARGV[1], ARGV[3], to, '', ARGV[5])
if to == 'deployed' then
  if ARGV[6] ~= '1' then
    for _, o in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
      redis.call('HSET', ARGV[2] .. o, 'stage', 'deprecated', 'updated', ARGV[5])
      redis.call('ZREM', KEYS[3], o)
      emit('model.deprecated', ARGV[1], o, 'deprecated', '', ARGV[5])
    end
  end
  redis.call('ZADD', KEYS[3], ARGV[3], ARGV[3])
end
return {cur, 1}
`)

// KEYS: evseq events al vs ; ARGV: name alias version now
var setAliasScript = redis.NewScript(luaEmit + `
if not redis.call('ZSCORE', KEYS[4], ARGV[3]) then return redis.error_reply('NOTFOUND missing') end
if redis.call('HGET', KEYS[3], ARGV[2]) == ARGV[3] then return 0 end
redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
emit('alias.set', ARGV[1], ARGV[3], '', ARGV[2], ARGV[4])
return 1
`)

// KEYS: evseq events al ; ARGV: name alias now
var deleteAliasScript = redis.NewScript(luaEmit + `
local v = redis.call('HGET', KEYS[3], ARGV[2])
if not v then return redis.error_reply('NOTFOUND missing') end
redis.call('HDEL', KEYS[3], ARGV[2])
emit('alias.deleted', ARGV[1], v, '', ARGV[2], ARGV[3])
return 1
`)

// KEYS: evseq events vs al ; ARGV: name vkeyprefix version now
var deleteScript = redis.NewScript(luaEmit + `
local vk = ARGV[2] .. ARGV[3]
local h = redis.call('HMGET', vk, 'stage', 'blob', 'chunks')
if not h[1] then return redis.error_reply('NOTFOUND missing') end
if h[1] == 'deployed' then return redis.error_reply('INUSE it is deployed (deprecate it first)') end
local al = redis.call('HGETALL', KEYS[4])
local names = {}
for i = 1, #al, 2 do if al[i + 1] == ARGV[3] then table.insert(names, al[i]) end end
if #names > 0 then
  table.sort(names)
  return redis.error_reply('INUSE aliases [' .. table.concat(names, ' ') .. '] point at it')
end
for i = 0, tonumber(h[3]) - 1 do redis.call('DEL', h[2] .. i) end
redis.call('DEL', vk)
redis.call('ZREM', KEYS[3], ARGV[3])
emit('model.deleted', ARGV[1], ARGV[3], '', '', ARGV[4])
return 1
`)

// KEYS: evseq cursors ; ARGV: subscriber seq
var ackScript = redis.NewScript(`
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
local seq = tonumber(ARGV[2])
if seq > last then return redis.error_reply('PAST seq ' .. seq .. ' is past the last event ' .. last) end
local cur = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if seq > cur then redis.call('HSET', KEYS[2], ARGV[1], ARGV[2]) end
return 1
`)

func (s *RedisStore) evKeys(more ...string) []string {
	return append([]string{s.k("evseq"), s.k("events")}, more...)
}

func (s *RedisStore) stamp() string { return s.now().UTC().Format(time.RFC3339Nano) }

// scriptErr maps the scripts' error prefixes to sentinels.
func scriptErr(err error, name string, v int64) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	switch {
	case strings.HasPrefix(msg, "NOTFOUND"):
		return fmt.Errorf("model %q version %d: %w", name, v, ErrNotFound)
	case strings.HasPrefix(msg, "INUSE "):
		return fmt.Errorf("model %q version %d: %w: %s", name, v, ErrInUse, strings.TrimPrefix(msg, "INUSE "))
	}
	return err
}

// Create implements Creator. Chunks are written under a fresh upload id
// with a TTL; one script then checks they are all there, numbers the
// version and makes it visible.
func (s *RedisStore) Create(ctx context.Context, name string, blob io.Reader, info Info) (Version, error) {
	if err := errors.Join(checkName("model", name), checkInfo(info)); err != nil {
		return Version{}, fmt.Errorf("create: %w", err)
	}
	id := randomName("")
	bprefix := s.k("b", id) + ":"
	hr := newHashingReader(ctxReader{ctx, blob})
	buf := make([]byte, s.chunk)
	n := 0
	for {
		m, err := io.ReadFull(hr, buf)
		if m > 0 {
			key := bprefix + strconv.Itoa(n)
			data := buf[:m]
			if err := s.do(ctx, "write chunk", func(ctx context.Context, _ int) error {
				return s.c.Set(ctx, key, data, s.uploadTTL).Err()
			}); err != nil {
				return Version{}, fmt.Errorf("create %q: chunk %d: %w", name, n, err)
			}
			n++
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return Version{}, fmt.Errorf("create %q: read blob: %w", name, err)
		}
	}
	infoJSON, err := json.Marshal(info)
	if err != nil {
		return Version{}, fmt.Errorf("create %q: %w", name, err)
	}
	now := s.now().UTC()
	var v int64
	err = s.do(ctx, "publish version", func(ctx context.Context, _ int) error {
		var err error
		v, err = createScript.Run(ctx, s.c,
			s.evKeys(s.k("m", name, "ctr"), s.k("m", name, "vs"), s.k("models"), s.k("pub", id)),
			name, s.k("m", name, "v")+":", bprefix, n, infoJSON, hr.n, hr.sum(), now.Format(time.RFC3339Nano),
			int(publishedTTL/time.Second)).Int64()
		return err
	})
	if err != nil {
		return Version{}, fmt.Errorf("create %q: %w", name, err)
	}
	return Version{Model: name, Version: v, Stage: StageGenerated, Info: info, Size: hr.n, SHA256: hr.sum(),
		Created: now, Updated: now}, nil
}

// hashVersion decodes a version hash.
func hashVersion(name string, v int64, h map[string]string) (Version, error) {
	out := Version{Model: name, Version: v, Stage: Stage(h["stage"]), SHA256: h["sha256"]}
	var errs []error
	if err := json.Unmarshal([]byte(h["info"]), &out.Info); err != nil {
		errs = append(errs, fmt.Errorf("field info: %w", err))
	}
	var err error
	if out.Size, err = strconv.ParseInt(h["size"], 10, 64); err != nil {
		errs = append(errs, fmt.Errorf("field size: %w", err))
	}
	if out.Created, err = time.Parse(time.RFC3339Nano, h["created"]); err != nil {
		errs = append(errs, fmt.Errorf("field created: %w", err))
	}
	if out.Updated, err = time.Parse(time.RFC3339Nano, h["updated"]); err != nil {
		errs = append(errs, fmt.Errorf("field updated: %w", err))
	}
	if err := errors.Join(errs...); err != nil {
		return Version{}, fmt.Errorf("model %q version %d: bad metadata: %w", name, v, err)
	}
	return out, nil
}

// getMany reads versions and the model's aliases in one round trip.
// Versions deleted meanwhile are left out.
func (s *RedisStore) getMany(ctx context.Context, name string, vs []int64) ([]Version, error) {
	var out []Version
	err := s.do(ctx, "get versions", func(ctx context.Context, _ int) error {
		out = out[:0]
		pipe := s.c.Pipeline()
		hs := make([]*redis.MapStringStringCmd, len(vs))
		for i, v := range vs {
			hs[i] = pipe.HGetAll(ctx, s.vkey(name, v))
		}
		al := pipe.HGetAll(ctx, s.k("m", name, "al"))
		if _, err := pipe.Exec(ctx); err != nil {
			return err
		}
		for i, v := range vs {
			h := hs[i].Val()
			if len(h) == 0 {
				continue
			}
			m, err := hashVersion(name, v, h)
			if err != nil {
				return err
			}
			for a, av := range al.Val() {
				if av == strconv.FormatInt(v, 10) {
					m.Aliases = append(m.Aliases, a)
				}
			}
			sort.Strings(m.Aliases)
			out = append(out, m)
		}
		return nil
	})
	return out, err
}

// Get implements Getter.
func (s *RedisStore) Get(ctx context.Context, name string, version int64) (Version, error) {
	if err := checkVersion(name, version); err != nil {
		return Version{}, err
	}
	vs, err := s.getMany(ctx, name, []int64{version})
	if err != nil {
		return Version{}, err
	}
	if len(vs) == 0 {
		return Version{}, fmt.Errorf("model %q version %d: %w", name, version, ErrNotFound)
	}
	return vs[0], nil
}

func (s *RedisStore) zrange(ctx context.Context, by *redis.ZRangeArgs) ([]int64, error) {
	var out []int64
	err := s.do(ctx, "list versions", func(ctx context.Context, _ int) error {
		ms, err := s.c.ZRangeArgs(ctx, *by).Result()
		if err != nil {
			return err
		}
		out = out[:0]
		for _, m := range ms {
			v, err := strconv.ParseInt(m, 10, 64)
			if err != nil {
				return fmt.Errorf("bad version %q in %s", m, by.Key)
			}
			out = append(out, v)
		}
		return nil
	})
	return out, err
}

// Latest implements Getter.
func (s *RedisStore) Latest(ctx context.Context, name string) (Version, error) {
	if err := checkName("model", name); err != nil {
		return Version{}, err
	}
	for range 3 {
		vs, err := s.zrange(ctx, &redis.ZRangeArgs{Key: s.k("m", name, "vs"), Start: 0, Stop: 0, Rev: true})
		if err != nil {
			return Version{}, err
		}
		if len(vs) == 0 {
			break
		}
		v, err := s.Get(ctx, name, vs[0])
		if errors.Is(err, ErrNotFound) {
			continue // deleted meanwhile
		}
		return v, err
	}
	return Version{}, fmt.Errorf("model %q: %w: no versions", name, ErrNotFound)
}

// OpenBlob implements Getter: chunks are fetched one at a time as the
// reader reaches them.
func (s *RedisStore) OpenBlob(ctx context.Context, name string, version int64) (io.ReadCloser, error) {
	if err := checkVersion(name, version); err != nil {
		return nil, err
	}
	var h map[string]string
	if err := s.do(ctx, "open blob", func(ctx context.Context, _ int) error {
		var err error
		h, err = s.c.HGetAll(ctx, s.vkey(name, version)).Result()
		return err
	}); err != nil {
		return nil, err
	}
	if len(h) == 0 {
		return nil, fmt.Errorf("model %q version %d: %w", name, version, ErrNotFound)
	}
	m, err := hashVersion(name, version, h)
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(h["chunks"])
	if err != nil {
		return nil, fmt.Errorf("model %q version %d: bad metadata: field chunks: %w", name, version, err)
	}
	cr := &chunkReader{s: s, ctx: ctx, prefix: h["blob"], n: n, name: name, version: version}
	return newVerifyingReader(cr, nil, fmt.Sprintf("model %q version %d", name, version), m.Size, m.SHA256), nil
}

type chunkReader struct {
	s       *RedisStore
	ctx     context.Context
	prefix  string
	n, i    int
	cur     []byte
	name    string
	version int64
}

func (c *chunkReader) Read(p []byte) (int, error) {
	for len(c.cur) == 0 {
		if c.i == c.n {
			return 0, io.EOF
		}
		key := c.prefix + strconv.Itoa(c.i)
		err := c.s.do(c.ctx, "read chunk", func(ctx context.Context, _ int) error {
			var err error
			c.cur, err = c.s.c.Get(ctx, key).Bytes()
			return err
		})
		if errors.Is(err, redis.Nil) {
			return 0, fmt.Errorf("model %q version %d: chunk %d: %w (deleted while reading?)", c.name, c.version, c.i, ErrNotFound)
		}
		if err != nil {
			return 0, fmt.Errorf("model %q version %d: chunk %d: %w", c.name, c.version, c.i, err)
		}
		c.i++
	}
	n := copy(p, c.cur)
	c.cur = c.cur[n:]
	return n, nil
}

// ListModels implements Lister.
func (s *RedisStore) ListModels(ctx context.Context) ([]string, error) {
	var out []string
	err := s.do(ctx, "list models", func(ctx context.Context, _ int) error {
		var err error
		out, err = s.c.SMembers(ctx, s.k("models")).Result()
		return err
	})
	slices.Sort(out)
	return out, err
}

// ListVersions implements Lister.
func (s *RedisStore) ListVersions(ctx context.Context, name string, opts ListOptions) ([]Version, int64, error) {
	if err := checkName("model", name); err != nil {
		return nil, 0, err
	}
	limit := opts.limit()
	vs, err := s.zrange(ctx, &redis.ZRangeArgs{Key: s.k("m", name, "vs"), ByScore: true,
		Start: "(" + strconv.FormatInt(opts.After, 10), Stop: "+inf", Count: int64(limit + 1)})
	if err != nil {
		return nil, 0, err
	}
	var next int64
	if len(vs) > limit {
		vs = vs[:limit]
		next = vs[limit-1]
	}
	out, err := s.getMany(ctx, name, vs)
	return out, next, err
}

// Deployed implements Lister.
func (s *RedisStore) Deployed(ctx context.Context, name string) ([]Version, error) {
	if err := checkName("model", name); err != nil {
		return nil, err
	}
	vs, err := s.zrange(ctx, &redis.ZRangeArgs{Key: s.k("m", name, "dep"), Start: 0, Stop: -1, Rev: true})
	if err != nil {
		return nil, err
	}
	return s.getMany(ctx, name, vs)
}

// SetStage implements Stager.
func (s *RedisStore) SetStage(ctx context.Context, name string, version int64, to Stage, opts *StageOptions) (Version, error) {
	if err := checkVersion(name, version); err != nil {
		return Version{}, err
	}
	if err := checkTransition(name, version, to, to); err != nil {
		return Version{}, fmt.Errorf("set stage: %w", err)
	}
	args := []any{name, s.k("m", name, "v") + ":", version, string(to), s.stamp(), "0"}
	if opts != nil && opts.KeepOthers {
		args[5] = "1"
	}
	for from, tos := range transitions {
		if slices.Contains(tos, to) {
			args = append(args, string(from))
		}
	}
	var res []any
	err := s.do(ctx, "set stage", func(ctx context.Context, _ int) error {
		var err error
		res, err = stageScript.Run(ctx, s.c, s.evKeys(s.k("m", name, "dep")), args...).Slice()
		return err
	})
	if err = scriptErr(err, name, version); err != nil {
		return Version{}, fmt.Errorf("set stage: %w", err)
	}
	if len(res) == 2 && res[1] == int64(-1) {
		from, _ := res[0].(string)
		return Version{}, fmt.Errorf("set stage: %w", checkTransition(name, version, Stage(from), to))
	}
	return s.Get(ctx, name, version)
}

// SetAlias implements Aliaser.
func (s *RedisStore) SetAlias(ctx context.Context, name, alias string, version int64) error {
	if err := errors.Join(checkVersion(name, version), checkAlias(alias)); err != nil {
		return fmt.Errorf("set alias: %w", err)
	}
	err := s.do(ctx, "set alias", func(ctx context.Context, _ int) error {
		return setAliasScript.Run(ctx, s.c, s.evKeys(s.k("m", name, "al"), s.k("m", name, "vs")),
			name, alias, version, s.stamp()).Err()
	})
	if err = scriptErr(err, name, version); err != nil {
		return fmt.Errorf("set alias %q: %w", alias, err)
	}
	return nil
}

// DeleteAlias implements Aliaser. A retry after a lost reply that finds
// the alias gone counts as success.
func (s *RedisStore) DeleteAlias(ctx context.Context, name, alias string) error {
	if err := errors.Join(checkName("model", name), checkAlias(alias)); err != nil {
		return fmt.Errorf("delete alias: %w", err)
	}
	err := s.do(ctx, "delete alias", func(ctx context.Context, attempt int) error {
		err := deleteAliasScript.Run(ctx, s.c, s.evKeys(s.k("m", name, "al")), name, alias, s.stamp()).Err()
		if attempt > 1 && err != nil && strings.HasPrefix(err.Error(), "NOTFOUND") {
			return nil
		}
		return err
	})
	if err != nil {
		if strings.HasPrefix(err.Error(), "NOTFOUND") {
			err = fmt.Errorf("model %q alias %q: %w", name, alias, ErrNotFound)
		}
		return fmt.Errorf("delete alias %q: %w", alias, err)
	}
	return nil
}

// Alias implements Aliaser.
func (s *RedisStore) Alias(ctx context.Context, name, alias string) (Version, error) {
	if err := errors.Join(checkName("model", name), checkAlias(alias)); err != nil {
		return Version{}, err
	}
	var v int64
	err := s.do(ctx, "get alias", func(ctx context.Context, _ int) error {
		var err error
		v, err = s.c.HGet(ctx, s.k("m", name, "al"), alias).Int64()
		return err
	})
	if errors.Is(err, redis.Nil) {
		return Version{}, fmt.Errorf("model %q alias %q: %w", name, alias, ErrNotFound)
	}
	if err != nil {
		return Version{}, err
	}
	return s.Get(ctx, name, v)
}

// Delete implements Deleter. A retry after a lost reply that finds the
// version gone counts as success.
func (s *RedisStore) Delete(ctx context.Context, name string, version int64) error {
	if err := checkVersion(name, version); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	if err := scriptErr(s.delete(ctx, name, version), name, version); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	return nil
}

func (s *RedisStore) delete(ctx context.Context, name string, version int64) error {
	return s.do(ctx, "delete", func(ctx context.Context, attempt int) error {
		err := deleteScript.Run(ctx, s.c, s.evKeys(s.k("m", name, "vs"), s.k("m", name, "al")),
			name, s.k("m", name, "v")+":", version, s.stamp()).Err()
		if attempt > 1 && err != nil && strings.HasPrefix(err.Error(), "NOTFOUND") {
			return nil
		}
		return err
	})
}

// GC implements Deleter. Each removal re-checks atomically that the
// version is still not deployed or aliased; one that became so is kept.
func (s *RedisStore) GC(ctx context.Context, name string, policy GCPolicy) ([]Version, error) {
	if err := checkPolicy(policy); err != nil {
		return nil, err
	}
	names := []string{name}
	if name == "" {
		var err error
		if names, err = s.ListModels(ctx); err != nil {
			return nil, fmt.Errorf("gc: %w", err)
		}
	} else if err := checkName("model", name); err != nil {
		return nil, err
	}
	var removed []Version
	for _, n := range names {
		var all []Version
		var after int64
		for {
			page, next, err := s.ListVersions(ctx, n, ListOptions{After: after, Limit: MaxPageSize})
			if err != nil {
				return removed, fmt.Errorf("gc: %w", err)
			}
			all = append(all, page...)
			if next == 0 {
				break
			}
			after = next
		}
		for _, v := range gcVictims(all, policy) {
			err := scriptErr(s.delete(ctx, n, v.Version), n, v.Version)
			if errors.Is(err, ErrInUse) || errors.Is(err, ErrNotFound) {
				continue
			}
			if err != nil {
				return removed, fmt.Errorf("gc: %w", err)
			}
			removed = append(removed, v)
		}
	}
	return removed, nil
}

func streamID(seq uint64) string { return "0-" + strconv.FormatUint(seq, 10) }

func decodeEvents(msgs []redis.XMessage) ([]Event, error) {
	out := make([]Event, 0, len(msgs))
	for _, m := range msgs {
		var ev Event
		s, _ := m.Values["e"].(string)
		if err := json.Unmarshal([]byte(s), &ev); err != nil {
			return nil, fmt.Errorf("event %s: %w", m.ID, err)
		}
		seq, err := strconv.ParseUint(strings.TrimPrefix(m.ID, "0-"), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("event id %s: %w", m.ID, err)
		}
		ev.Seq = seq
		out = append(out, ev)
	}
	return out, nil
}

// Events implements EventLog.
func (s *RedisStore) Events(ctx context.Context, from uint64, limit int) ([]Event, error) {
	from = max(from, 1)
	var out []Event
	err := s.do(ctx, "read events", func(ctx context.Context, _ int) error {
		msgs, err := s.c.XRangeN(ctx, s.k("events"), streamID(from), "+", int64(clampLimit(limit))).Result()
		if err != nil {
			return err
		}
		out, err = decodeEvents(msgs)
		return err
	})
	return out, err
}

// Watch implements EventLog with XREAD BLOCK.
func (s *RedisStore) Watch(ctx context.Context, from uint64) ([]Event, error) {
	from = max(from, 1)
	for {
		var out []Event
		err := s.do(ctx, "watch events", func(ctx context.Context, _ int) error {
			res, err := s.c.XRead(ctx, &redis.XReadArgs{Streams: []string{s.k("events"), streamID(from - 1)},
				Count: DefaultPageSize, Block: watchBlock}).Result()
			if errors.Is(err, redis.Nil) {
				return nil
			}
			if err != nil {
				return err
			}
			for _, st := range res {
				evs, err := decodeEvents(st.Messages)
				if err != nil {
					return err
				}
				out = append(out, evs...)
			}
			return nil
		})
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, err
		}
		if len(out) > 0 {
			return out, nil
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
}

// Ack implements EventLog.
func (s *RedisStore) Ack(ctx context.Context, subscriber string, seq uint64) error {
	if err := checkName("subscriber", subscriber); err != nil {
		return fmt.Errorf("ack: %w", err)
	}
	err := s.do(ctx, "ack", func(ctx context.Context, _ int) error {
		return ackScript.Run(ctx, s.c, []string{s.k("evseq"), s.k("cursors")}, subscriber, seq).Err()
	})
	if err != nil && strings.HasPrefix(err.Error(), "PAST ") {
		err = errors.New(strings.TrimPrefix(err.Error(), "PAST "))
	}
	if err != nil {
		return fmt.Errorf("ack %q: %w", subscriber, err)
	}
	return nil
}

// Cursor implements EventLog.
func (s *RedisStore) Cursor(ctx context.Context, subscriber string) (uint64, error) {
	if err := checkName("subscriber", subscriber); err != nil {
		return 0, fmt.Errorf("cursor: %w", err)
	}
	var cur uint64
	err := s.do(ctx, "cursor", func(ctx context.Context, _ int) error {
		var err error
		cur, err = s.c.HGet(ctx, s.k("cursors"), subscriber).Uint64()
		if errors.Is(err, redis.Nil) {
			cur, err = 0, nil
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("cursor %q: %w", subscriber, err)
	}
	return cur, nil
}
