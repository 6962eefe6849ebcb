namespace Kiln.NN;

/// <summary>One named member of a module: a parameter, buffer or submodule slot, held in a field or registered.</summary>
internal interface IModuleMember
{
    string Name { get; }

    MemberKind Kind { get; }

    bool Persistent { get; }

    object? Value { get; set; }
}

/// <summary>A member held in a field of the module.</summary>
internal sealed class FieldMember(Module owner, FieldSlot slot) : IModuleMember
{
    public string Name => slot.Name;

    public MemberKind Kind => slot.Kind;

    public bool Persistent => slot.Persistent;

    public object? Value
    {
        get => slot.Field.GetValue(owner);
        set => slot.Field.SetValue(owner, value);
    }
}

/// <summary>A member registered by name.</summary>
internal sealed class RegisteredMember(string name, MemberKind kind, object? value, bool persistent) : IModuleMember
{
    public string Name => name;

    public MemberKind Kind => kind;

    public bool Persistent => persistent;

    public object? Value { get; set; } = value;
}
