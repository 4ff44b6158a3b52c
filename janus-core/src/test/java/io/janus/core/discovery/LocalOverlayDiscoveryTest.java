package io.janus.core.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.janus.core.spi.ServiceInstance;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A gateway's embedded services stay out of the shared discovery, and embedded services found there
 * count only when this gateway embeds them, while remote instances pass through both ways.
 */
class LocalOverlayDiscoveryTest {

    private static final ServiceInstance MINE = ServiceInstance.of("game", "gw-1/game", "inproc:game", Map.of());
    private static final ServiceInstance THEIRS = ServiceInstance.of("game", "gw-2/game", "inproc:other", Map.of());
    private static final ServiceInstance LISTED = ServiceInstance.of("game", "zone-1", "inproc:zone-1",
            Map.of("zone", "1"));
    private static final ServiceInstance REMOTE = ServiceInstance.of("game", "svc-1", "10.0.0.5:9000", Map.of());

    @Test
    void embeddedInstancesAreLocalAndForeignOnesIgnored() {
        StaticDiscovery shared = new StaticDiscovery(List.of(THEIRS));
        LocalOverlayDiscovery overlay = new LocalOverlayDiscovery(shared, java.util.Set.of("game", "zone-1"));
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

        // A registry that lists one of this gateway's embedded services, with metadata, is followed.
        shared.register(LISTED).toCompletableFuture().join();
        assertThat(overlay.instances("game")).containsExactly(LISTED);
    }
}
