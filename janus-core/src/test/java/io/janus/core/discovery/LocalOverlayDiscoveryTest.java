package io.janus.core.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.janus.core.spi.ServiceInstance;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A gateway's embedded services stay out of the shared discovery, and another gateway's embedded
 * services found there are ignored, while remote instances pass through both ways.
 */
class LocalOverlayDiscoveryTest {

    private static final ServiceInstance MINE = ServiceInstance.of("game", "gw-1/game", "inproc:game", Map.of());
    private static final ServiceInstance THEIRS = ServiceInstance.of("game", "gw-2/game", "inproc:game", Map.of());
    private static final ServiceInstance REMOTE = ServiceInstance.of("game", "svc-1", "10.0.0.5:9000", Map.of());

    @Test
    void embeddedInstancesAreLocalAndForeignOnesIgnored() {
        StaticDiscovery shared = new StaticDiscovery(List.of(THEIRS));
        LocalOverlayDiscovery overlay = new LocalOverlayDiscovery(shared);
        List<List<ServiceInstance>> seen = new CopyOnWriteArrayList<>();
        overlay.watch("game", seen::add);

        overlay.register(MINE).toCompletableFuture().join();
        overlay.register(REMOTE).toCompletableFuture().join();

        assertThat(shared.instances("game")).containsExactlyInAnyOrder(THEIRS, REMOTE);
        assertThat(overlay.instances("game")).containsExactlyInAnyOrder(REMOTE, MINE);
        assertThat(seen.get(0)).isEmpty();
        assertThat(seen.get(seen.size() - 1)).containsExactlyInAnyOrder(REMOTE, MINE);

        overlay.deregister(MINE).toCompletableFuture().join();
        overlay.deregister(REMOTE).toCompletableFuture().join();
        assertThat(overlay.instances("game")).isEmpty();
        assertThat(shared.instances("game")).containsExactly(THEIRS);
        assertThat(seen.get(seen.size() - 1)).isEmpty();
    }
}
