#pragma once

#include <atomic>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_set>
#include <utility>

namespace proactive {

// An immutable value shared by reference count, one pointer wide. The store
// keeps what repeats across actions and sessions — URLs, event names,
// element chains — as Interned values from an InternPool, so that a value
// seen by a thousand sessions is held once. A default-constructed Interned
// holds T{} without allocating. The count is atomic, so copies may cross
// threads like shared_ptr's; the value itself never changes.
template<typename T> class Interned {
public:
    Interned() = default;
    explicit Interned(T value)
        : m_node(new Node { std::move(value) })
    { }
    Interned(const Interned& other) noexcept
        : m_node(other.m_node)
    {
        if (m_node)
            m_node->references.fetch_add(1, std::memory_order_relaxed);
    }
    Interned(Interned&& other) noexcept
        : m_node(std::exchange(other.m_node, nullptr))
    { }
    Interned& operator=(Interned other) noexcept
    {
        std::swap(m_node, other.m_node);
        return *this;
    }
    ~Interned()
    {
        if (m_node && m_node->references.fetch_sub(1, std::memory_order_acq_rel) == 1)
            delete m_node;
    }

    const T& get() const { return m_node ? m_node->value : none(); }
    const T& operator*() const { return get(); }
    const T* operator->() const { return &get(); }
    operator const T&() const { return get(); }

    // Strings read like the std::string they hold: matchers take views.
    operator std::string_view() const requires std::is_same_v<T, std::string> { return get(); }
    bool empty() const requires std::is_same_v<T, std::string> { return get().empty(); }
    friend bool operator==(const Interned& a, const Interned& b) { return a.m_node == b.m_node || a.get() == b.get(); }
    friend bool operator==(const Interned& a, std::string_view b) requires std::is_same_v<T, std::string>
    {
        return std::string_view(a.get()) == b;
    }

private:
    template<typename, typename, typename> friend class InternPool;

    struct Node {
        T value;
        std::atomic<std::size_t> references { 1 };
    };

    static const T& none()
    {
        static const T value {};
        return value;
    }
    std::size_t references() const { return m_node ? m_node->references.load(std::memory_order_acquire) : 0; }

    Node* m_node = nullptr;
};

// Hands out one Interned per distinct value. `Hash` and `Equal` are
// transparent, so a hit costs a lookup by a cheap key (a string_view, a
// view of the parts) and no copy. The pool holds a reference to every value
// it handed out; purge() lets go of those nobody else holds any more. Not
// thread-safe: one owner interns and purges.
template<typename T, typename Hash, typename Equal> class InternPool {
public:
    template<typename Key> Interned<T> intern(const Key& key)
    {
        if (const auto it = m_values.find(key); it != m_values.end())
            return *it;
        return *m_values.insert(Interned<T>(T(key))).first;
    }

    std::size_t size() const { return m_values.size(); }

    // Drops the values only the pool still refers to. Costs one pass over the
    // pool, so callers purge after releasing about as many values as it holds.
    void purge()
    {
        std::erase_if(m_values, [](const Interned<T>& value) { return value.references() == 1; });
    }

private:
    struct ValueHash : Hash {
        using is_transparent = void;
        using Hash::operator();
        std::size_t operator()(const Interned<T>& value) const { return Hash::operator()(value.get()); }
    };
    struct ValueEqual : Equal {
        using is_transparent = void;
        using Equal::operator();
        bool operator()(const Interned<T>& a, const Interned<T>& b) const
        {
            return Equal::operator()(a.get(), b.get());
        }
        template<typename Key> bool operator()(const Interned<T>& a, const Key& b) const
        {
            return Equal::operator()(a.get(), b);
        }
        template<typename Key> bool operator()(const Key& a, const Interned<T>& b) const
        {
            return Equal::operator()(b.get(), a);
        }
    };

    std::unordered_set<Interned<T>, ValueHash, ValueEqual> m_values;
};

// The pool for strings, looked up by std::string_view.
struct StringViewHash {
    std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view> {}(text); }
};
struct StringViewEqual {
    bool operator()(std::string_view a, std::string_view b) const noexcept { return a == b; }
};
using StringPool = InternPool<std::string, StringViewHash, StringViewEqual>;

} // namespace proactive
