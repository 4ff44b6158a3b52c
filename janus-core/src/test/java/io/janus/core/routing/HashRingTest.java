package io.janus.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.janus.core.spi.ServiceInstance;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link HashRing}: stable, even, weighted consistent hashing with minimal movement on change. */
class HashRingTest {

    private static final int KEYS = 30_000;

    private static ServiceInstance instance(String id) {
        return ServiceInstance.of("player", id, "inproc:player", Map.of());
    }

    private static ServiceInstance weighted(String id, int weight) {
        return ServiceInstance.of("player", id, "inproc:player",
                Map.of(ServiceInstance.WEIGHT, Integer.toString(weight)));
    }

    private static Map<String, Integer> countByInstance(HashRing ring) {
        Map<String, Integer> counts = new HashMap<>();
        for (long key = 1; key <= KEYS; key++) {
            counts.merge(ring.pick(key).id(), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void sameKeyMapsToSameInstance() {
        HashRing ring = HashRing.of(List.of(instance("a"), instance("b"), instance("c")));

        for (long key = -500; key < 500; key++) {
            assertThat(ring.pick(key)).isSameAs(ring.pick(key));
        }
    }

    @Test
    void ringsBuiltFromTheSameInstancesInAnyOrderAgree() {
        // Every gateway must send a player to the same instance, whatever order discovery lists them in.
        HashRing one = HashRing.of(List.of(instance("a"), instance("b"), instance("c")));
        HashRing two = HashRing.of(List.of(instance("c"), instance("a"), instance("b")));

        for (long key = 0; key < 5_000; key++) {
            assertThat(two.pick(key).id()).isEqualTo(one.pick(key).id());
        }
    }

    @Test
    void spreadsKeysRoughlyEvenlyOverThreeInstances() {
        HashRing ring = HashRing.of(List.of(instance("player-1"), instance("player-2"), instance("player-3")));

        Map<String, Integer> counts = countByInstance(ring);

        assertThat(counts).containsOnlyKeys("player-1", "player-2", "player-3");
        assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(KEYS * 20 / 100, KEYS * 47 / 100));
    }

    @Test
    void removingAnInstanceMovesOnlyTheKeysItOwned() {
        ServiceInstance a = instance("a");
        ServiceInstance b = instance("b");
        ServiceInstance c = instance("c");
        HashRing before = HashRing.of(List.of(a, b, c));
        HashRing after = HashRing.of(List.of(a, c));

        int moved = 0;
        for (long key = 1; key <= KEYS; key++) {
            ServiceInstance was = before.pick(key);
            ServiceInstance now = after.pick(key);
            if (was.equals(b)) {
                assertThat(now).isIn(a, c);
                moved++;
            } else {
                assertThat(now).as("key %s was on %s", key, was.id()).isEqualTo(was);
            }
        }
        assertThat(moved).as("b owned some keys").isPositive();
    }

    @Test
    void addingAnInstanceTakesKeysOnlyForItself() {
        ServiceInstance a = instance("a");
        ServiceInstance b = instance("b");
        ServiceInstance d = instance("d");
        HashRing before = HashRing.of(List.of(a, b));
        HashRing after = HashRing.of(List.of(a, b, d));

        for (long key = 1; key <= KEYS; key++) {
            ServiceInstance now = after.pick(key);
            if (!now.equals(d)) {
                assertThat(now).isEqualTo(before.pick(key));
            }
        }
    }

    @Test
    void weightSetsTheShareOfKeys() {
        HashRing ring = HashRing.of(List.of(weighted("heavy", 3), weighted("light", 1)));

        Map<String, Integer> counts = countByInstance(ring);

        // Expected 75% / 25%.
        assertThat(counts.get("heavy")).isBetween(KEYS * 65 / 100, KEYS * 85 / 100);
        assertThat(counts.get("light")).isBetween(KEYS * 15 / 100, KEYS * 35 / 100);
    }

    @Test
    void invalidWeightCountsAsOne() {
        HashRing ring = HashRing.of(List.of(
                ServiceInstance.of("player", "x", "inproc:player", Map.of(ServiceInstance.WEIGHT, "lots")),
                weighted("y", 1)));

        Map<String, Integer> counts = countByInstance(ring);

        assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(KEYS * 30 / 100, KEYS * 70 / 100));
    }

    @Test
    void emptyRingPicksNothing() {
        HashRing ring = HashRing.of(List.of());

        assertThat(ring.isEmpty()).isTrue();
        assertThat(ring.pick(42)).isNull();
    }

    @Test
    void singleInstanceOwnsEveryKey() {
        ServiceInstance only = instance("only");
        HashRing ring = HashRing.of(List.of(only));

        assertThat(ring.isEmpty()).isFalse();
        List<ServiceInstance> picked = new ArrayList<>();
        for (long key : new long[] {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE}) {
            picked.add(ring.pick(key));
        }
        assertThat(picked).containsOnly(only);
    }
}
