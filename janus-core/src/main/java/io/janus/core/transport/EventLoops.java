package io.janus.core.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * Event loops for transports and clients: native epoll when it loads (Linux, with the
 * {@code netty-transport-native-epoll} jar of the platform), NIO otherwise; and the channel classes that
 * match a given group.
 */
public final class EventLoops {

    private EventLoops() {
    }

    /** Whether native epoll is usable in this JVM. */
    public static boolean epollAvailable() {
        return Epoll.isAvailable();
    }

    /**
     * Creates an event loop group; the caller owns it and shuts it down.
     *
     * @param threads the number of threads, 0 for Netty's default (twice the cores)
     * @param name the thread name prefix
     * @return a new group
     */
    public static EventLoopGroup newGroup(int threads, String name) {
        IoHandlerFactory factory = epollAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), factory);
    }

    private static boolean isEpoll(EventLoopGroup group) {
        return group instanceof IoEventLoopGroup && ((IoEventLoopGroup) group).isIoType(EpollIoHandler.class);
    }

    /**
     * The server socket channel class that runs on {@code group}.
     *
     * @param group the group
     * @return the class
     */
    public static Class<? extends ServerChannel> serverSocketChannel(EventLoopGroup group) {
        return isEpoll(group) ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /**
     * The client socket channel class that runs on {@code group}.
     *
     * @param group the group
     * @return the class
     */
    public static Class<? extends SocketChannel> socketChannel(EventLoopGroup group) {
        return isEpoll(group) ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /**
     * The datagram channel class that runs on {@code group}.
     *
     * @param group the group
     * @return the class
     */
    public static Class<? extends DatagramChannel> datagramChannel(EventLoopGroup group) {
        return isEpoll(group) ? EpollDatagramChannel.class : NioDatagramChannel.class;
    }
}
