-- model: marts.track_features
-- key: track_id
-- The catalog's tracks with their tempo and key, for DJs and playlists, from whichever
-- provider gives them: Spotify's audio features (only for apps Spotify lets read them),
-- else Beatport's BPM and key, else Deezer's BPM (its track lookups carry one; 0 means
-- it does not know). The key as pitch class (0 = C) and mode (1 major, 0 minor),
-- written out ("A minor") and as its Camelot code (8A), where codes a number or a
-- letter apart mix harmonically. `bpm_source` and `key_source` name the provider each
-- came from.
with spotify as (
    select t.track_id, f.tempo as bpm,
        case when f.key between 0 and 11 and f.mode in (0, 1) then f.key end as pitch_class,
        case when f.key between 0 and 11 and f.mode in (0, 1) then f.mode end as mode,
        f.time_signature
    from canonical.tracks t
    join staging.spotify_audio_features f on f.track_id = t.spotify_track_id
),
beatport_keys as (
    -- Beatport names keys "A Major", "E♭ Minor", "F# Minor".
    select c.cluster_id as track_id, arg_max(b.bpm, b.fetched_at) as bpm,
        regexp_extract(arg_max(b.musical_key, b.fetched_at), '^([A-G])([#♯b♭]?) (Major|Minor)$', ['letter', 'accidental', 'chord']) as k,
        arg_max(b.camelot, b.fetched_at) as camelot
    from canonical.clusters c
    join staging.beatport_tracks b on c.entity = 'track' and c.provider = 'beatport' and c.item_id = b.track_id::varchar
    group by c.cluster_id
),
beatport as (
    select track_id, bpm, camelot,
        case when k.letter <> '' then
            ([0, 2, 4, 5, 7, 9, 11][instr('CDEFGAB', k.letter)]
                + case when k.accidental in ('#', '♯') then 1 when k.accidental in ('b', '♭') then 11 else 0 end) % 12
        end as pitch_class,
        case k.chord when 'Major' then 1 when 'Minor' then 0 end as mode
    from beatport_keys
),
deezer as (
    select c.cluster_id as track_id, max(d.bpm) as bpm
    from canonical.clusters c
    join staging.deezer_tracks d on c.entity = 'track' and c.provider = 'deezer' and c.item_id = d.track_id::varchar
    where d.bpm > 0
    group by c.cluster_id
),
features as (
    select
        t.track_id, t.title, t.artist, t.isrc,
        coalesce(s.bpm, b.bpm, d.bpm) as bpm,
        case when s.bpm is not null then 'spotify' when b.bpm is not null then 'beatport' when d.bpm is not null then 'deezer' end
            as bpm_source,
        coalesce(s.pitch_class, b.pitch_class) as pitch_class,
        coalesce(s.mode, b.mode) as mode,
        -- Beatport's own code, for a key name that reads otherwise.
        case when s.pitch_class is null and b.pitch_class is null then b.camelot end as given_camelot,
        case when s.pitch_class is not null then 'spotify' when b.pitch_class is not null or b.camelot is not null then 'beatport' end
            as key_source,
        s.time_signature
    from canonical.tracks t
    left join spotify s using (track_id)
    left join beatport b using (track_id)
    left join deezer d using (track_id)
)
select
    track_id,
    title,
    artist,
    isrc,
    round(bpm, 1) as bpm,
    bpm_source,
    ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'][pitch_class + 1]
        || case mode when 1 then ' major' else ' minor' end as key_name,
    pitch_class,
    mode,
    -- The circle of fifths from C major = 8B and A minor = 8A.
    coalesce(
        ((pitch_class * 7 + case mode when 1 then 7 else 4 end) % 12 + 1)::varchar || case mode when 1 then 'B' else 'A' end,
        given_camelot
    ) as camelot,
    key_source,
    time_signature
from features
where bpm is not null or pitch_class is not null or given_camelot is not null
