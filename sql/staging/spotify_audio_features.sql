-- model: staging.spotify_audio_features
-- key: track_id
-- merge: newest row
-- One row per Spotify track with audio features (GET /audio-features/<id> or ?ids=; extended
-- quota apps only since November 2024), newest first. `key` is a pitch class (0 = C,
-- -1 = none detected), `mode` 1 for major and 0 for minor.
with bodies as (
    -- One track's features, or many (`/audio-features?ids=`: in id order, null for an unknown id).
    select
        case when json_exists(body, '$.audio_features') then json_extract(body, '$.audio_features[*]') else [body::json] end as fs,
        fetched_at, raw_file
    from answers.spotify_audio_features
),
listed as (
    select unnest(fs) as j, fetched_at, raw_file from bodies
),
parsed as materialized (
    select
        from_json(j, '{"id": "VARCHAR", "tempo": "DOUBLE", "key": "INTEGER", "mode": "INTEGER",
            "time_signature": "INTEGER", "energy": "DOUBLE", "danceability": "DOUBLE", "valence": "DOUBLE"}') as f,
        fetched_at,
        raw_file
    from listed
    where j is not null and json_type(j) = 'OBJECT'
)
select
    f.id as track_id,
    f.tempo,
    f.key,
    f.mode,
    f.time_signature,
    f.energy,
    f.danceability,
    f.valence,
    fetched_at,
    raw_file
from parsed
where f.id is not null
