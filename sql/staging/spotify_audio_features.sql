-- model: staging.spotify_audio_features
-- key: track_id
-- One row per Spotify track with audio features (GET /audio-features/<id>; extended
-- quota apps only since November 2024), newest first. `key` is a pitch class (0 = C,
-- -1 = none detected), `mode` 1 for major and 0 for minor.
with parsed as materialized (
    select
        try(from_json(body, '{"id": "VARCHAR", "tempo": "DOUBLE", "key": "INTEGER", "mode": "INTEGER",
            "time_signature": "INTEGER", "energy": "DOUBLE", "danceability": "DOUBLE", "valence": "DOUBLE"}')) as f,
        fetched_at,
        raw_file
    from raw.spotify_audio_features
    where status = 200
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
qualify row_number() over (partition by f.id order by fetched_at desc) = 1
