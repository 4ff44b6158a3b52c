package io.janus.testing;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;

/**
 * An unpooled allocator that knows, exactly, how many bytes of its buffers are alive and the largest
 * buffer anyone asked for. Its buffers are leak-aware like every other (PARANOID in tests), but a try
 * does not have to wait for the garbage collector: {@link #live()} must be back to 0 when the try has
 * released everything, and {@link #largestRequest()} shows an allocation sized from a declared length.
 * Confined to the test thread.
 */
public final class FuzzAllocator extends AbstractByteBufAllocator {

    private long live;
    private int largestRequest;

    /** Creates an allocator with nothing alive. */
    public FuzzAllocator() {
        super(false);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        largestRequest = Math.max(largestRequest, initialCapacity);
        return new Heap(initialCapacity, maxCapacity);
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        largestRequest = Math.max(largestRequest, initialCapacity);
        return new Direct(initialCapacity, maxCapacity);
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    /**
     * A heap buffer that is counted but not tracked by Netty's leak detector: for the inputs a try feeds
     * in, which the try itself releases and checks. Recording a stack trace on every access of every
     * input would take most of a try's time; what the code under test allocates stays tracked.
     */
    public ByteBuf untrackedHeap(int capacity) {
        return new Heap(capacity, Integer.MAX_VALUE);
    }

    /** A direct buffer, counted, not tracked; see {@link #untrackedHeap}. */
    public ByteBuf untrackedDirect(int capacity) {
        return new Direct(capacity, Integer.MAX_VALUE);
    }

    /** Bytes held by buffers of this allocator that were not released yet. */
    public long live() {
        return live;
    }

    /** The largest initial capacity requested since the last {@link #resetLargestRequest()}. */
    public int largestRequest() {
        return largestRequest;
    }

    public void resetLargestRequest() {
        largestRequest = 0;
    }

    private final class Heap extends UnpooledHeapByteBuf {
        Heap(int initialCapacity, int maxCapacity) {
            super(FuzzAllocator.this, initialCapacity, maxCapacity);
        }

        @Override
        protected byte[] allocateArray(int initialCapacity) {
            live += initialCapacity;
            return new byte[initialCapacity];
        }

        @Override
        protected void freeArray(byte[] array) {
            live -= array.length;
        }
    }

    private final class Direct extends UnpooledDirectByteBuf {
        Direct(int initialCapacity, int maxCapacity) {
            super(FuzzAllocator.this, initialCapacity, maxCapacity);
            live += capacity();
        }

        @Override
        public ByteBuf capacity(int newCapacity) {
            int old = capacity();
            super.capacity(newCapacity);
            live += capacity() - old;
            return this;
        }

        @Override
        protected void deallocate() {
            live -= capacity();
            super.deallocate();
        }
    }
}
