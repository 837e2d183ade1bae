-- model: marts.track_features
-- key: track_id
-- The catalog's tracks with their tempo and key, for DJs and playlists: bpm, key and
-- mode from Spotify's audio features, the key written out ("A minor") and as its
-- Camelot code (8A), where two codes a number or a letter apart mix harmonically.
with features as (
    select
        t.track_id,
        t.title,
        t.artist,
        t.isrc,
        f.tempo,
        f.key,
        f.mode,
        f.time_signature
    from canonical.tracks t
    join staging.spotify_audio_features f on f.track_id = t.spotify_track_id
)
select
    track_id,
    title,
    artist,
    isrc,
    round(tempo, 1) as bpm,
    case when key between 0 and 11 and mode in (0, 1) then
        ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'][key + 1]
            || case mode when 1 then ' major' else ' minor' end
    end as key_name,
    key as pitch_class,
    mode,
    -- The circle of fifths from C major = 8B and A minor = 8A.
    case when key between 0 and 11 and mode in (0, 1) then
        ((key * 7 + case mode when 1 then 7 else 4 end) % 12 + 1)::varchar || case mode when 1 then 'B' else 'A' end
    end as camelot,
    time_signature
from features
