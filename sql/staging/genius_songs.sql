-- model: staging.genius_songs
-- key: song_id
-- assert: not_null(title)
-- One row per Genius song: from song lookups (preferred: they add the album, the
-- release date and links to the song on Spotify and Apple Music), an artist's song
-- pages and search hits. Dates may be a year only; `title_with_featured` carries
-- "(Ft. X)".
-- merge: by whole, then newest
with songs as (
    select json_extract(body, '$.response.song') as s, fetched_at, raw_file, 1 as whole
    from answers.genius_songs
    union all
    select unnest(json_extract(body, '$.response.songs[*]')), fetched_at, raw_file, 0
    from answers.genius_artist_songs
    union all
    select unnest(json_extract(body, '$.response.hits[*].result')), fetched_at, raw_file, 0
    from answers.genius_song_search
)
select
    try_cast(s ->> 'id' as bigint) as song_id,
    s ->> 'title' as title,
    s ->> 'title_with_featured' as title_with_featured,
    try_cast(json_extract_string(s, '$.primary_artist.id') as bigint) as artist_id,
    json_extract_string(s, '$.primary_artist.name') as artist_name,
    nullif(array_to_string(json_extract_string(s, '$.featured_artists[*].name'), ', '), '') as featured_artists,
    coalesce(
        try_cast(s ->> 'release_date' as date)::varchar,
        try_cast(json_extract_string(s, '$.release_date_components.year') as integer)::varchar
    ) as release_date,
    try_cast(json_extract_string(s, '$.album.id') as bigint) as album_id,
    json_extract_string(s, '$.album.name') as album_name,
    nullif(regexp_extract(
        array_to_string(json_extract_string(s, '$.media[*].url'), ' '), 'open\.spotify\.com/track/([A-Za-z0-9]{22})', 1
    ), '') as spotify_track_id,
    s ->> 'apple_music_id' as apple_music_id,
    s ->> 'url' as url,
    fetched_at, raw_file, whole
from songs
where try_cast(s ->> 'id' as bigint) is not null
