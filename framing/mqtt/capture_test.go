package mqtt

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/internal/testutil"
)

// TestCaptures frames the connections TestLiveMosquitto recorded
// (testdata/captures, written with SLUICE_MQTT_CAPTURE=dir): mosquitto
// 2.0.11 with mosquitto_pub and mosquitto_sub, MQTT 3.1.1 and 5. Each
// direction gives the packets the client printed then (kept in
// testdata/captures.txt), in the relay's pieces and in random pieces.
func TestCaptures(t *testing.T) {
	var out []string
	for i, c := range testutil.Captures(t) {
		id, u, d := c.Name, c.Up, c.Down
		// In random pieces of up to 700 bytes, as another relay might
		// have cut them.
		rng := rand.New(rand.NewPCG(uint64(i), 7))
		upLines, ls, v := framed(t, segtest.RandomPieces(rng, u, 700), Server, 0)
		downLines, ld, _ := framed(t, segtest.RandomPieces(rng, d, 700), Client, v)
		out = append(out, fmt.Sprintf("%s v%d: sent %q; received %q; lengths %v %v", id, v, upLines, downLines, ls, ld))
		fuzz.Check(t, decoder(Server, Options{}), u, randomCuts(len(u), int64(i)), fuzz.Options[Packet]{MaxMessageSize: DefaultMaxHeadSize + DefaultMaxPart})
		fuzz.Check(t, decoder(Client, Options{Version: v}), d, randomCuts(len(d), int64(i)), fuzz.Options[Packet]{MaxMessageSize: DefaultMaxHeadSize + DefaultMaxPart})
	}
	golden(t, "captures.txt", out)
}
