package io.janus.examples.demo;

import com.google.protobuf.ByteString;
import io.janus.core.RequestException;
import io.janus.core.game.GameHandlers;
import io.janus.core.game.GameRequest;
import io.janus.core.game.Push;
import io.janus.core.session.SessionInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * The demo game: three modules small enough to read in one sitting, each showing one way to write a
 * handler.
 *
 * <ul>
 *   <li>{@link #ECHO_MODULE echo} (module 1): a non-blocking handler, run on the event loop.
 *   <li>{@link #PROFILE_MODULE player profile} (module 2): blocking handlers, run on the gateway's
 *       executor one request of a session at a time, as code that calls a database would be.
 *   <li>{@link #CHAT_MODULE chat room} (module 3, the room id in the packet's {@code obj}): pushes to
 *       other players; {@link #SAY} is asynchronous and answers once every member's push is handed over.
 * </ul>
 *
 * <p>Bodies are UTF-8 text, to keep the demo free of message definitions; a real game would use
 * protobuf messages. Errors are game statuses (1000 and above, see {@link Status}) thrown as
 * {@link RequestException#game}; the client receives them as the failure of its request.
 *
 * <p>State lives in memory, bounded, and is lost when the gateway stops. Thread-safe: handlers of
 * different sessions run concurrently. Use one instance per gateway:
 *
 * <pre>{@code
 * Gateway gateway = Gateway.builder().listen("tcp", 7000).game(new DemoGame().handlers()).build();
 * }</pre>
 */
public final class DemoGame {

    /** The echo module. */
    public static final int ECHO_MODULE = 1;
    /** Echo: answers with the request's body. */
    public static final int ECHO = 1;

    /** The player profile module; every command acts on the caller's own profile. */
    public static final int PROFILE_MODULE = 2;
    /** Get profile: empty body; answers {@code "player 42: nickname=Alice, logins=1"}. */
    public static final int GET_PROFILE = 1;
    /** Set nickname: the body is the nickname; answers the updated profile as {@link #GET_PROFILE} does. */
    public static final int SET_NICKNAME = 2;

    /** The chat room module; {@code obj} is the room id, above 0. */
    public static final int CHAT_MODULE = 3;
    /** Join room: empty body; answers {@code "joined room 7 (2 members)"}. Joining twice is harmless. */
    public static final int JOIN = 1;
    /**
     * Say: the body is the text; pushes {@code "<nickname>: <text>"} as {@link #CHAT_MESSAGE} to every
     * member of the room, the speaker included, and answers {@code "delivered to 2 members"}.
     */
    public static final int SAY = 2;
    /** Leave room: empty body; answers {@code "left room 7"}. */
    public static final int LEAVE = 3;
    /** Seq of the chat pushes: module {@link #CHAT_MODULE}, obj the room id, body {@code "<nickname>: <text>"}. */
    public static final int CHAT_MESSAGE = 100;

    /** Longest nickname, in Unicode code points. */
    public static final int MAX_NICKNAME_LENGTH = 16;
    /** Longest chat message, in Unicode code points. */
    public static final int MAX_MESSAGE_LENGTH = 200;
    /** Default bound of the profile table. */
    public static final int DEFAULT_MAX_PROFILES = 100_000;
    /** Default bound of the number of rooms. */
    public static final int DEFAULT_MAX_ROOMS = 10_000;
    /** Default bound of the members of one room. */
    public static final int DEFAULT_MAX_ROOM_MEMBERS = 1_000;

    /** The game statuses this game answers with; all at least {@link RequestException#FIRST_GAME_STATUS}. */
    public static final class Status {
        /** Say or leave in a room the player has not joined. */
        public static final int NOT_IN_ROOM = 1001;
        /** The room has its maximum number of members. */
        public static final int ROOM_FULL = 1002;
        /** The nickname is longer than {@link #MAX_NICKNAME_LENGTH}. */
        public static final int NICKNAME_TOO_LONG = 1003;
        /** The nickname is empty, blank, not UTF-8, or holds control characters. */
        public static final int NICKNAME_INVALID = 1004;
        /** The game has its maximum number of rooms. */
        public static final int TOO_MANY_ROOMS = 1005;
        /** The game has its maximum number of profiles. */
        public static final int TOO_MANY_PROFILES = 1006;
        /** The chat message is longer than {@link #MAX_MESSAGE_LENGTH}. */
        public static final int MESSAGE_TOO_LONG = 1007;
        /** The chat message is empty, blank, not UTF-8, or holds control characters. */
        public static final int MESSAGE_INVALID = 1008;
        /** The room id ({@code obj}) is not above 0. */
        public static final int INVALID_ROOM = 1009;

        private Status() {
        }
    }

    /** A profile; immutable, replaced as a whole so that readers never see half an update. */
    private record Profile(long playerId, String nickname, int logins, long lastSessionId) {

        static Profile fresh(long playerId) {
            return new Profile(playerId, "player-" + playerId, 0, 0);
        }

        /**
         * Counts the first profile request of each session as a login: the game API has no login
         * event, and this keeps the demo free of one.
         */
        Profile seenIn(long sessionId) {
            return sessionId == lastSessionId ? this : new Profile(playerId, nickname, logins + 1, sessionId);
        }

        Profile withNickname(String name) {
            return new Profile(playerId, name, logins, lastSessionId);
        }

        @Override
        public String toString() {
            return "player " + playerId + ": nickname=" + nickname + ", logins=" + logins;
        }
    }

    /**
     * One membership of a player in a room. Compared by identity, so that dropping a member whose push
     * failed cannot remove the same player's later membership if they rejoined meanwhile.
     */
    private static final class Member {
        final long playerId;
        final long sessionId;

        Member(long playerId, long sessionId) {
            this.playerId = playerId;
            this.sessionId = sessionId;
        }
    }

    /**
     * A room. Its members change only inside {@code rooms.compute} for its id, which serialises
     * membership changes per room and makes the size checks exact; readers iterate without locks.
     */
    private static final class Room {
        final ConcurrentMap<Long, Member> members = new ConcurrentHashMap<>();
    }

    private final int maxProfiles;
    private final int maxRooms;
    private final int maxRoomMembers;
    private final ConcurrentMap<Long, Profile> profiles = new ConcurrentHashMap<>();
    private final AtomicInteger profileCount = new AtomicInteger();
    private final ConcurrentMap<Long, Room> rooms = new ConcurrentHashMap<>();
    private final AtomicInteger roomCount = new AtomicInteger();

    /** A game with the default bounds. */
    public DemoGame() {
        this(DEFAULT_MAX_PROFILES, DEFAULT_MAX_ROOMS, DEFAULT_MAX_ROOM_MEMBERS);
    }

    /**
     * A game with the given bounds.
     *
     * @param maxProfiles most profiles kept, above 0; beyond, new players get {@link Status#TOO_MANY_PROFILES}
     * @param maxRooms most rooms at once, above 0; beyond, joining a new room gets {@link Status#TOO_MANY_ROOMS}
     * @param maxRoomMembers most members of one room, above 0; beyond, joining gets {@link Status#ROOM_FULL}
     */
    public DemoGame(int maxProfiles, int maxRooms, int maxRoomMembers) {
        checkPositive(maxProfiles, "maxProfiles");
        checkPositive(maxRooms, "maxRooms");
        checkPositive(maxRoomMembers, "maxRoomMembers");
        this.maxProfiles = maxProfiles;
        this.maxRooms = maxRooms;
        this.maxRoomMembers = maxRoomMembers;
    }

    private static void checkPositive(int value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
    }

    /**
     * The handlers of the three modules, to pass to {@code Gateway.Builder.game}. They share this
     * game's state.
     *
     * @return the handler table
     */
    public GameHandlers handlers() {
        return GameHandlers.builder()
                .onNonBlocking(ECHO_MODULE, ECHO, GameRequest::body)
                .on(PROFILE_MODULE, GET_PROFILE, req -> utf8(updateProfile(req, UnaryOperator.identity())))
                .on(PROFILE_MODULE, SET_NICKNAME, this::setNickname)
                .onNonBlocking(CHAT_MODULE, JOIN, this::join)
                .onAsync(CHAT_MODULE, SAY, this::say)
                .onNonBlocking(CHAT_MODULE, LEAVE, this::leave)
                .onSessionClosed(this::leaveAllRooms)
                .build();
    }

    /** The number of profiles kept. */
    public int profileCount() {
        return profileCount.get();
    }

    /** The number of rooms with at least one member. */
    public int roomCount() {
        return roomCount.get();
    }

    /**
     * The number of members of a room.
     *
     * @param roomId the room
     * @return its member count, 0 when the room does not exist
     */
    public int roomMembers(long roomId) {
        Room room = rooms.get(roomId);
        return room == null ? 0 : room.members.size();
    }

    // ---- player profile (blocking handlers) ----

    private ByteString setNickname(GameRequest req) {
        String nickname = text(req.body(), MAX_NICKNAME_LENGTH, Status.NICKNAME_TOO_LONG,
                Status.NICKNAME_INVALID, "nickname");
        return utf8(updateProfile(req, p -> p.withNickname(nickname)));
    }

    /** Creates the caller's profile if needed, within the bound, and applies a change atomically. */
    private Profile updateProfile(GameRequest req, UnaryOperator<Profile> change) {
        return profiles.compute(req.playerId(), (playerId, current) -> {
            Profile profile = current;
            if (profile == null) {
                // Reserve a slot first: a size() check would let concurrent first requests overshoot.
                if (profileCount.incrementAndGet() > maxProfiles) {
                    profileCount.decrementAndGet();
                    throw RequestException.game(Status.TOO_MANY_PROFILES,
                            "the game keeps at most " + maxProfiles + " profiles");
                }
                profile = Profile.fresh(playerId);
            }
            return change.apply(profile.seenIn(req.session().sessionId()));
        });
    }

    private String nicknameOf(long playerId) {
        Profile profile = profiles.get(playerId);
        return profile != null ? profile.nickname() : "player-" + playerId;
    }

    // ---- chat room ----

    private ByteString join(GameRequest req) {
        long roomId = roomId(req);
        long playerId = req.playerId();
        int[] size = new int[1];
        rooms.compute(roomId, (id, current) -> {
            Room room = current;
            if (room == null) {
                if (roomCount.incrementAndGet() > maxRooms) {
                    roomCount.decrementAndGet();
                    throw RequestException.game(Status.TOO_MANY_ROOMS,
                            "the game has at most " + maxRooms + " rooms");
                }
                room = new Room();
            }
            Member existing = room.members.get(playerId);
            if (existing == null) {
                // A new room has no members and maxRoomMembers > 0, so this never leaves an empty room.
                if (room.members.size() >= maxRoomMembers) {
                    throw RequestException.game(Status.ROOM_FULL,
                            "room " + id + " has its maximum of " + maxRoomMembers + " members");
                }
                room.members.put(playerId, new Member(playerId, req.session().sessionId()));
            } else if (existing.sessionId != req.session().sessionId()) {
                // Rejoined from a new session: the membership now belongs to it.
                room.members.put(playerId, new Member(playerId, req.session().sessionId()));
            }
            size[0] = room.members.size();
            return room;
        });
        return utf8("joined room " + roomId + " (" + members(size[0]) + ")");
    }

    private CompletionStage<ByteString> say(GameRequest req) {
        long roomId = roomId(req);
        Room room = rooms.get(roomId);
        if (room == null || !room.members.containsKey(req.playerId())) {
            throw notInRoom(roomId);
        }
        String text = text(req.body(), MAX_MESSAGE_LENGTH, Status.MESSAGE_TOO_LONG, Status.MESSAGE_INVALID,
                "message");
        Push push = Push.of(CHAT_MODULE, CHAT_MESSAGE, roomId, utf8(nicknameOf(req.playerId()) + ": " + text));
        AtomicInteger delivered = new AtomicInteger();
        List<CompletableFuture<Void>> deliveries = new ArrayList<>(room.members.size());
        for (Member member : room.members.values()) {
            deliveries.add(req.pusher().pushToPlayer(member.playerId, push).toCompletableFuture()
                    .handle((accepted, failure) -> {
                        if (Boolean.TRUE.equals(accepted)) {
                            delivered.incrementAndGet();
                        } else if (failure == null) {
                            // No live session: the player left without leaving the room.
                            remove(roomId, member.playerId, member);
                        }
                        // A failed push (a remote push service down) keeps the member for the next try.
                        return null;
                    }));
        }
        return CompletableFuture.allOf(deliveries.toArray(new CompletableFuture<?>[0]))
                .thenApply(v -> utf8("delivered to " + members(delivered.get())));
    }

    private ByteString leave(GameRequest req) {
        long roomId = roomId(req);
        if (!remove(roomId, req.playerId(), null)) {
            throw notInRoom(roomId);
        }
        return utf8("left room " + roomId);
    }

    /**
     * A closed session leaves every room it joined. Memberships the same player made from a newer
     * session (after a duplicate login) stay.
     */
    private void leaveAllRooms(SessionInfo session) {
        for (Map.Entry<Long, Room> room : rooms.entrySet()) {
            Member member = room.getValue().members.get(session.playerId());
            if (member != null && member.sessionId == session.sessionId()) {
                remove(room.getKey(), session.playerId(), member);
            }
        }
    }

    /**
     * Removes a player from a room, and the room once empty.
     *
     * @param member only this membership, or any membership of the player when {@code null}
     * @return whether a membership was removed
     */
    private boolean remove(long roomId, long playerId, Member member) {
        boolean[] removed = new boolean[1];
        rooms.computeIfPresent(roomId, (id, room) -> {
            removed[0] = member == null ? room.members.remove(playerId) != null
                    : room.members.remove(playerId, member);
            if (room.members.isEmpty()) {
                roomCount.decrementAndGet();
                return null;
            }
            return room;
        });
        return removed[0];
    }

    private static long roomId(GameRequest req) {
        if (req.obj() <= 0) {
            throw RequestException.game(Status.INVALID_ROOM, "room id (obj) " + req.obj() + " (expected: > 0)");
        }
        return req.obj();
    }

    private static RequestException notInRoom(long roomId) {
        return RequestException.game(Status.NOT_IN_ROOM, "not in room " + roomId);
    }

    // ---- text bodies ----

    /**
     * Decodes and checks a text body.
     *
     * @param maxLength most code points
     * @return the text, stripped of surrounding white space
     */
    private static String text(ByteString body, int maxLength, int tooLong, int invalid, String what) {
        // A code point takes at most 4 bytes in UTF-8: refuse huge bodies before decoding them, leaving
        // room for the surrounding white space that is stripped.
        if (body.size() > 4 * maxLength + 64) {
            throw RequestException.game(tooLong, what + " of " + body.size() + " bytes is longer than "
                    + maxLength + " characters");
        }
        if (!body.isValidUtf8()) {
            throw RequestException.game(invalid, what + " is not valid UTF-8");
        }
        String text = body.toStringUtf8().strip();
        if (text.isEmpty()) {
            throw RequestException.game(invalid, what + " is empty");
        }
        int length = text.codePointCount(0, text.length());
        if (length > maxLength) {
            throw RequestException.game(tooLong, what + " of " + length + " characters is longer than "
                    + maxLength);
        }
        if (text.codePoints().anyMatch(Character::isISOControl)) {
            throw RequestException.game(invalid, what + " holds control characters");
        }
        return text;
    }

    private static String members(int count) {
        return count == 1 ? "1 member" : count + " members";
    }

    private static ByteString utf8(Object text) {
        return ByteString.copyFromUtf8(text.toString());
    }
}
